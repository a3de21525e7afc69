import { replayRange } from "#shared/application/recovery/replay";
import { republishPipeDeadLetters, republishRange } from "#shared/application/recovery/republish";
import { runWhenStarted } from "./command";
import { recoveryContext, republishReport } from "./recovery";

/**
 * npm run republish [-- --dry-run] [--stage <stage>]: for each failed batch in the Pipes' dead-letter queues,
 * republishes the transitions and the waits for review of its time range from the transitions-by-day index,
 * then deletes the message. With --from and --to: those of that range, whatever the queues hold.
 */
export async function main(args: string[]): Promise<number> {
  const context = await recoveryContext(args, { from: { type: "string" }, to: { type: "string" } });
  const deps = { recorded: context.recorded(), channelsFor: context.channelsFor(), bus: context.bus };
  const { from, to } = context.values as { from?: string; to?: string };
  if (from !== undefined || to !== undefined) {
    const { transitions, waits } = await republishRange(deps)({ ...replayRange(from, to), dryRun: context.dryRun });
    console.log(
      `${transitions} transition(s) and ${waits} wait(s) for review ${context.dryRun ? "would be " : ""}republished`,
    );
    return 0;
  }
  const queues = context.queues(context.outputs.pipeDeadLetterQueues);
  const results = await republishPipeDeadLetters({ ...deps, queues })({ dryRun: context.dryRun });
  for (const line of republishReport(results, context.dryRun)) console.log(line);
  return 0;
}

runWhenStarted(import.meta.url, "republish", main);
