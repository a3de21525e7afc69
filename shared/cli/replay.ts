import { replayArchive, replayRange } from "#shared/application/recovery/replay";
import { runWhenStarted } from "./command";
import { recoveryContext } from "./recovery";

/**
 * npm run replay -- --from <time> --to <time> [--dry-run] [--stage <stage>]: replays the bus archive's
 * events of that range onto the bus (StartReplay); the notifiers send only what was missed.
 */
export async function main(args: string[]): Promise<number> {
  const context = await recoveryContext(args, { from: { type: "string" }, to: { type: "string" } });
  const { from, to } = context.values as { from?: string; to?: string };
  const range = replayRange(from, to);
  console.log(await replayArchive({ archive: context.archive })({ ...range, dryRun: context.dryRun }));
  return 0;
}

runWhenStarted(import.meta.url, "replay", main);
