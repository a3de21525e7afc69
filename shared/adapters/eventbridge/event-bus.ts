import {
  DescribeArchiveCommand,
  type EventBridgeClient,
  PutEventsCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import type { EventPublisher } from "#shared/application/recovery/ports";
import type { EventArchive } from "#shared/application/recovery/replay";

/** PutEvents takes at most 10 entries a call. */
const PUT_BATCH = 10;

/** Ripen's bus on EventBridge; entries the bus refuses are retried once, then reported. */
export function eventBridgePublisher(options: { client: EventBridgeClient; busArn: string }): EventPublisher {
  const send = async (entries: readonly { source: string; detailType: string; detail: unknown }[]) => {
    const result = await options.client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: options.busArn,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: JSON.stringify(entry.detail),
        })),
      }),
    );
    return entries.filter((_, index) => result.Entries?.[index]?.ErrorCode !== undefined);
  };
  return {
    async put(entries) {
      for (let start = 0; start < entries.length; start += PUT_BATCH) {
        const refused = await send(entries.slice(start, start + PUT_BATCH));
        const still = refused.length > 0 ? await send(refused) : [];
        if (still.length > 0) throw new Error(`the bus refused ${still.length} event(s) twice; nothing was removed`);
      }
    },
  };
}

/** The bus's archive: a replay onto the bus it archives, named after its range. */
export function eventBridgeArchive(options: {
  client: EventBridgeClient;
  archiveArn: string;
  busArn: string;
}): EventArchive {
  const archiveName = options.archiveArn.split("/").pop() ?? options.archiveArn;
  return {
    async replay(from, to) {
      // Replay names: at most 64 of [.-_A-Za-z0-9]; the range and the start make one unique enough.
      const name = `ripen-${compact(from)}-${compact(to)}-${Date.now().toString(36)}`.slice(0, 64);
      const result = await options.client.send(
        new StartReplayCommand({
          ReplayName: name,
          Description: `npm run replay -- --from ${from} --to ${to}`,
          EventSourceArn: options.archiveArn,
          EventStartTime: new Date(from),
          EventEndTime: new Date(to),
          Destination: { Arn: options.busArn },
        }),
      );
      return { name, state: result.State ?? "STARTING" };
    },
    async describe(from, to) {
      const archive = await options.client.send(new DescribeArchiveCommand({ ArchiveName: archiveName }));
      return (
        `would replay ${from} … ${to} from ${archiveName} (${archive.EventCount ?? "?"} events archived, ` +
        `kept ${archive.RetentionDays ?? "?"} days) onto ${options.busArn}`
      );
    },
  };
}

const compact = (iso: string) => iso.replace(/[^0-9]/g, "").slice(0, 14);
