import { redriveDeadLetters } from "#shared/application/recovery/redrive";
import { runWhenStarted } from "./command";
import { recoveryContext, redriveReport } from "./recovery";

/**
 * npm run redrive [-- --dry-run] [--stage <stage>] [--outputs cdk-outputs.json]: puts the events of the rule
 * and notifier dead-letter queues back on the bus, then deletes them.
 */
export async function main(args: string[]): Promise<number> {
  const context = await recoveryContext(args);
  const redrive = redriveDeadLetters({ queues: context.queues(context.outputs.busDeadLetterQueues), bus: context.bus });
  for (const line of redriveReport(await redrive({ dryRun: context.dryRun }), context.dryRun)) console.log(line);
  return 0;
}

runWhenStarted(import.meta.url, "redrive", main);
