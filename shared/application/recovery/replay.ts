/** The bus's archive: StartReplay in AWS. */
export interface EventArchive {
  /** Starts replaying the archived events of [from, to] onto the bus; resolves with the replay's name. */
  replay(from: string, to: string): Promise<{ name: string; state: string }>;
  /** What a replay of [from, to] would do, without starting one. */
  describe(from: string, to: string): Promise<string>;
}

/** The longest a range may be: the archive keeps 30 days by default (ripen:archiveRetentionDays). */
export const MAX_REPLAY_DAYS = 366;

export class InvalidRangeError extends Error {
  override readonly name = "InvalidRangeError";
}

/** The range as ISO instants, from ≤ to, within MAX_REPLAY_DAYS; a date alone is that day's start (UTC). */
export function replayRange(from: string | undefined, to: string | undefined): { from: string; to: string } {
  if (!from || !to) throw new InvalidRangeError("give --from and --to (ISO times, e.g. 2026-11-24T10:00:00Z)");
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start)) throw new InvalidRangeError(`--from ${from} is not a time`);
  if (Number.isNaN(end)) throw new InvalidRangeError(`--to ${to} is not a time`);
  if (start > end) throw new InvalidRangeError("--from is after --to");
  if (end - start > MAX_REPLAY_DAYS * 86_400_000)
    throw new InvalidRangeError(`a range covers at most ${MAX_REPLAY_DAYS} days`);
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/**
 * Replays the archive's events of [from, to] onto the bus (or says what it would, `dryRun`).
 * Safe: the notifiers alert once per transition and skip people erased since, so a replay that overlaps
 * what was delivered sends only what was missed.
 */
export const replayArchive =
  (deps: { archive: EventArchive }) =>
  async (range: { from: string; to: string; dryRun: boolean }): Promise<string> => {
    if (range.dryRun) return deps.archive.describe(range.from, range.to);
    const replay = await deps.archive.replay(range.from, range.to);
    return `replay ${replay.name} ${replay.state}`;
  };
