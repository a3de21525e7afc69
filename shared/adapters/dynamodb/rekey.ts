import { randomBytes } from "node:crypto";
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Pseudonyms } from "#shared/domain/pseudonyms";
import { batchWrite } from "./batch";
import { ERASURE_AUDIT_PREFIX, erasureAuditSk } from "./entities/erasure-audit";
import { EVENT, eventItem, toEvent } from "./entities/event";
import { entityOf, type Item, keyOf, PK, SK } from "./entities/item";
import { LEAD, LEAD_SK, leadIdOfPk, leadItem, leadKey, leadPk, leadPutCondition, toLead } from "./entities/lead";
import { SLA_BREACH } from "./entities/sla-breach";
import { SQL_READY } from "./entities/sql-ready";
import { staleMarkerItem, staleMarkerKey } from "./entities/stale-marker";
import { MOVED_ATTRIBUTE } from "./entities/stream";
import { TOMBSTONE, TOMBSTONE_SK, tombstoneItem, tombstoneKey, toTombstone } from "./entities/tombstone";
import { TRANSITION, toTransition, transitionItem } from "./entities/transition";
import { queryAll, tablePartition } from "./query";

/** What moving one person's partition did. */
export type RekeyOutcome =
  /** Already under its keyed id. */
  | { kind: "current" }
  /** Moved: every item under the keyed id, none left under the old one. */
  | { kind: "moved"; from: string; to: string; items: number; merged: boolean };

export interface RekeyPage {
  /** The items a partition is found by: lead items and tombstones. */
  roots: Item[];
  next?: Item;
}

const MOVED = { S: "lead-ids" };
const PUBLISHED_COPIES: ReadonlySet<string> = new Set([SLA_BREACH, SQL_READY]);

/**
 * Moves every person's partition from the lead id an earlier release derived (a bare SHA-256 of the email)
 * to its keyed pseudonym, with event keys re-keyed too. See `npm run migrate`.
 *
 * Each move is idempotent: the copy is written first (puts of the same items), the old partition deleted
 * last, so an interrupted move is finished by the next run. Copies of published items (transitions, SLA
 * breaches, waits for review) carry MOVED_ATTRIBUTE, which the stream Pipes' filters leave out: nobody is alerted again.
 * A lead that received events under its new id before the move (the release was live first) is merged:
 * the old events join the new ones and the lead is marked stale, so the stale-lead worker replays it.
 */
export function dynamoLeadRekey(options: { client: DynamoDBClient; tableName: string; pseudonyms: Pseudonyms }) {
  const { client, tableName, pseudonyms } = options;

  async function getItem(key: Item): Promise<Item | undefined> {
    const result = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  /** The keyed id a partition's root names, or undefined when it cannot be known. */
  function keyedIdOf(root: Item): string | undefined {
    if (entityOf(root) === LEAD) return pseudonyms.leadId(toLead(root).email);
    const emailHash = root.emailHash?.S;
    return emailHash ? pseudonyms.leadIdOfEmailHash(emailHash) : undefined;
  }

  /** One item of the old partition as the new partition holds it. */
  function moved(item: Item, to: string): Item {
    switch (entityOf(item)) {
      case LEAD:
        return leadItem({ ...toLead(item), leadId: to });
      case EVENT: {
        const event = toEvent(item);
        return eventItem(to, event, pseudonyms.eventKey(event.eventId));
      }
      case TRANSITION:
        return { ...transitionItem({ ...toTransition(item), leadId: to }), [MOVED_ATTRIBUTE]: MOVED };
      case TOMBSTONE:
        // Without the email hash an earlier release kept: the keyed id is all a tombstone names now.
        return tombstoneItem(toTombstone(to, item));
      default: {
        // Markers, SLA records, waits for review, raw copies: the same item under the new key (an SLA
        // record and a wait for review are published: their copies are marked, so no one is alerted again).
        const copy: Item = { ...item, [PK]: { S: leadPk(to) } };
        if (copy.leadId?.S !== undefined) copy.leadId = { S: to };
        if (PUBLISHED_COPIES.has(entityOf(item) ?? "")) copy[MOVED_ATTRIBUTE] = MOVED;
        return copy;
      }
    }
  }

  /**
   * Merges a moved lead into the one its new id got meanwhile: the moved lead (its stage, owner and rep
   * decisions) is written over it, marked stale and listed, so the worker replays it with every event.
   */
  async function mergeInto(to: string, oldLead: Item): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await getItem(leadKey(to));
      const version = current ? toLead(current).version : 0;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: leadItem({ ...toLead(oldLead), leadId: to, stale: true, version: version + 1 }),
            ...leadPutCondition(current ? version : undefined),
          }),
        );
        await batchWrite(client, tableName, [{ PutRequest: { Item: staleMarkerItem(to) } }]);
        return;
      } catch (error) {
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      }
    }
    throw new Error(`lead ${to} kept changing while it was being merged; run the migration again`);
  }

  return {
    /** A page of partition roots (lead items and tombstones), from `startKey`. */
    async page(startKey?: Item): Promise<RekeyPage> {
      const result = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: `begins_with(${PK}, :lead) AND (${SK} = :lead_sk OR ${SK} = :tombstone)`,
          ExpressionAttributeValues: marshall({ ":lead": leadPk(""), ":lead_sk": LEAD_SK, ":tombstone": TOMBSTONE_SK }),
          ConsistentRead: true,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      return { roots: result.Items ?? [], ...(result.LastEvaluatedKey && { next: result.LastEvaluatedKey }) };
    },

    /** Moves the partition this root belongs to, when it is not under its keyed id yet. */
    async rekey(root: Item): Promise<RekeyOutcome> {
      const from = leadIdOfPk(root) ?? "";
      const to = keyedIdOf(root);
      if (to === from) return { kind: "current" };
      // A tombstone without an email hash: one written under a keyed id, or one an earlier release wrote
      // without the email (erased by the id of a lead already gone), which nothing can re-key: it stays.
      if (to === undefined) return { kind: "current" };
      const items = await queryAll(client, {
        TableName: tableName,
        ...tablePartition(leadPk(from)),
        ConsistentRead: true,
      });
      // The root was moved already (its old partition deleted) by a run that stopped before its page ended.
      if (items.length === 0) return { kind: "current" };
      const oldLead = items.find((item) => entityOf(item) === LEAD);
      const newLead = await getItem(leadKey(to));
      // A lead under the new id that is not this move's own copy got events of its own meanwhile.
      const merged =
        oldLead !== undefined &&
        newLead !== undefined &&
        (newLead.version?.N !== oldLead.version?.N || toLead(newLead).updatedAt !== toLead(oldLead).updatedAt);
      const copies = items
        .filter((item) => !(merged && entityOf(item) === LEAD))
        .map((item) => ({ PutRequest: { Item: moved(item, to) } }) satisfies WriteRequest);
      await batchWrite(client, tableName, copies);
      if (merged) await mergeInto(to, oldLead);
      else if (oldLead && toLead(oldLead).stale) {
        await batchWrite(client, tableName, [{ PutRequest: { Item: staleMarkerItem(to) } }]);
      }
      await batchWrite(client, tableName, [
        ...items.map((item) => ({ DeleteRequest: { Key: keyOf(item) } })),
        { DeleteRequest: { Key: staleMarkerKey(from) } },
      ]);
      return { kind: "moved", from, to, items: items.length, merged };
    },

    /**
     * Re-keys the erasure audits: an audit of a person moved in this run gets the keyed id; one whose
     * person is under a keyed id already keeps it; any other loses its lead id (it could only be the
     * bare hash of an email). Returns how many were re-keyed and how many lost their id.
     */
    async rekeyAudits(movedIds: ReadonlyMap<string, string>): Promise<{ rekeyed: number; stripped: number }> {
      const counts = { rekeyed: 0, stripped: 0 };
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: `begins_with(${PK}, :audit)`,
            ExpressionAttributeValues: marshall({ ":audit": ERASURE_AUDIT_PREFIX }),
            ConsistentRead: true,
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
        for (const item of page.Items ?? []) {
          const audit = unmarshall(item);
          const leadId = typeof audit.leadId === "string" ? audit.leadId : undefined;
          if (leadId === undefined) continue;
          const keyed = movedIds.get(leadId);
          if (!keyed) {
            const tombstone = await getItem(tombstoneKey(leadId));
            if (tombstone && !tombstone.emailHash) continue;
          }
          const { leadId: _old, ...rest } = audit;
          const sk = erasureAuditSk(audit.at, keyed ?? `unkeyed_${randomBytes(8).toString("hex")}`);
          await batchWrite(client, tableName, [
            { PutRequest: { Item: marshall({ ...rest, [SK]: sk, ...(keyed && { leadId: keyed }) }) } },
            { DeleteRequest: { Key: keyOf(item) } },
          ]);
          if (keyed) counts.rekeyed++;
          else counts.stripped++;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return counts;
    },
  };
}
