/**
 * What an erasure leaves under the person's lead id (a keyed hash of the email): when, and nothing about
 * who. Only a holder of Ripen's id key and the email can find it, which is what refusing to re-create
 * an erased person, and recognising their erased events, needs.
 */
export interface Tombstone {
  leadId: string;
  /** yyyy-mm-dd (UTC). */
  erasedOn: string;
  /** The instant of the erasure: alerts about moves before it are never sent (a replay of the bus archive). */
  erasedAt?: string;
}

export interface TombstoneReader {
  tombstoneOf(leadId: string): Promise<Tombstone | undefined>;
}
