import type { DynamoDBRecord } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import type { CheckpointFile } from "#shared/local/stream-checkpoint";
import { type StreamPipeOptions, startStreamReader } from "#shared/local/stream-poller";
import { idsIn, settle, useStreamTable } from "../support/stream-table";

const stream = useStreamTable("local-stream-reader");
const { checkpointFor, putTransition } = stream;
const FAST_RETRY = { attempts: 3, baseMs: 5, capMs: 20 };

/** A pipe's side of a test: what it was handed, what it dead-lettered, and its options. */
interface TestPipe {
  delivered: DynamoDBRecord[][];
  failed: DynamoDBRecord[][];
  options: StreamPipeOptions;
}

function testPipe(checkpoint: CheckpointFile, deliver?: (records: DynamoDBRecord[]) => void): TestPipe {
  const pipe: TestPipe = {
    delivered: [],
    failed: [],
    options: {
      checkpoint,
      deliver: async (records) => {
        deliver?.(records);
        pipe.delivered.push(records);
      },
      onFailedBatch: async (records) => {
        pipe.failed.push(records);
      },
      retry: FAST_RETRY,
    },
  };
  return pipe;
}

async function read(...pipes: TestPipe[]) {
  const reader = await startStreamReader({
    client: stream.streams,
    streamArn: stream.table.streamArn,
    pipes: pipes.map((pipe) => pipe.options),
    pollIntervalMs: 50,
    region: "eu-west-1",
    log: () => {},
  });
  return stream.stopAfterTest(reader);
}

/** Waits until every pipe has been handed the transition `id`. */
async function eachReceives(pipes: readonly TestPipe[], id: string): Promise<void> {
  for (const pipe of pipes) {
    await vi.waitFor(() => expect(idsIn(pipe.delivered)).toContain(id), { timeout: 10_000 });
  }
}

describe("local stream reader (one read of the stream for every Pipe)", () => {
  it("hands each record to every pipe once", async () => {
    // Prepare
    const [first, second] = [testPipe(checkpointFor("both-a")), testPipe(checkpointFor("both-b"))];
    await read(first, second);

    // Act
    await putTransition("both-1");
    await putTransition("both-2");

    // Assess
    await eachReceives([first, second], "both-2");
    await settle();
    for (const pipe of [first, second]) {
      expect(idsIn(pipe.delivered).filter((id) => id?.startsWith("both-"))).toEqual(["both-1", "both-2"]);
    }
  });

  it("restarts two pipes at different checkpoints from the earlier one: each gets what it missed, once", async () => {
    // Prepare: both pass `apart-1`, then only the first pipe runs and passes `apart-2`.
    const [ahead, behind] = [checkpointFor("apart-ahead"), checkpointFor("apart-behind")];
    const both = [testPipe(ahead), testPipe(behind)];
    const together = await read(...both);
    await putTransition("apart-1");
    await eachReceives(both, "apart-1");
    await together.stop();
    const alone = testPipe(ahead);
    const aloneReader = await read(alone);
    await putTransition("apart-2");
    await vi.waitFor(() => expect(idsIn(alone.delivered)).toContain("apart-2"), { timeout: 10_000 });
    await aloneReader.stop();

    // Act
    const [aheadAgain, behindAgain] = [testPipe(ahead), testPipe(behind)];
    await read(aheadAgain, behindAgain);
    await putTransition("apart-3");

    // Assess
    await eachReceives([aheadAgain, behindAgain], "apart-3");
    await settle();
    const seen = (pipe: TestPipe) => idsIn(pipe.delivered).filter((id) => id?.startsWith("apart-"));
    expect(seen(aheadAgain)).toEqual(["apart-3"]);
    expect(seen(behindAgain)).toEqual(["apart-2", "apart-3"]);
  });

  it("dead-letters one pipe's failing batch without losing or repeating the other pipe's records", async () => {
    // Prepare
    const failing = testPipe(checkpointFor("poison-failing"), (records) => {
      if (idsIn([records]).includes("poison")) throw new Error("cannot publish");
    });
    failing.options.batchSize = 1;
    const healthy = testPipe(checkpointFor("poison-healthy"));
    await read(failing, healthy);

    // Act
    await putTransition("poison");
    await putTransition("after-poison");

    // Assess
    await eachReceives([failing, healthy], "after-poison");
    await settle();
    expect(idsIn(failing.failed)).toEqual(["poison"]);
    expect(idsIn(failing.delivered).filter((id) => id?.includes("poison"))).toEqual(["after-poison"]);
    expect(idsIn(healthy.delivered).filter((id) => id?.includes("poison"))).toEqual(["poison", "after-poison"]);
    expect(healthy.failed).toHaveLength(0);
  });

  it("stopped while one pipe is still retrying, redelivers that pipe's batch on the next start and not the other's", async () => {
    // Prepare
    const [stuckCheckpoint, healthyCheckpoint] = [checkpointFor("stuck-failing"), checkpointFor("stuck-healthy")];
    const attempts: string[] = [];
    const stuck = testPipe(stuckCheckpoint, (records) => {
      const ids = idsIn([records]) as string[];
      if (!ids.includes("stuck")) return;
      attempts.push(...ids);
      throw new Error("slack is down");
    });
    stuck.options.retry = { attempts: 1_000, baseMs: 20, capMs: 20 };
    const healthy = testPipe(healthyCheckpoint);
    const first = await read(stuck, healthy);
    await putTransition("stuck");
    await vi.waitFor(() => expect(attempts).toContain("stuck"), { timeout: 10_000 });
    await vi.waitFor(() => expect(idsIn(healthy.delivered)).toContain("stuck"), { timeout: 10_000 });

    // Act
    await first.stop();
    const [stuckAgain, healthyAgain] = [testPipe(stuckCheckpoint), testPipe(healthyCheckpoint)];
    await read(stuckAgain, healthyAgain);
    await putTransition("after-stuck");

    // Assess
    await eachReceives([stuckAgain, healthyAgain], "after-stuck");
    await settle();
    const seen = (pipe: TestPipe) => idsIn(pipe.delivered).filter((id) => id?.includes("stuck"));
    expect(seen(stuckAgain)).toEqual(["stuck", "after-stuck"]);
    expect(seen(healthyAgain)).toEqual(["after-stuck"]);
    expect(stuck.failed).toHaveLength(0);
  });
});
