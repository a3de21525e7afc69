import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll } from "vitest";
import { localStreamsClient } from "#shared/local/clients";
import { type CheckpointFile, checkpointFile } from "#shared/local/stream-checkpoint";
import type { StreamPoller } from "#shared/local/stream-poller";
import { createTestTable, type TestTable } from "./dynamodb";

/** A test file's table, its stream's client, a folder for checkpoints, and the readers to stop after each test. */
export interface StreamTable {
  readonly table: TestTable;
  readonly streams: DynamoDBStreamsClient;
  /** A checkpoint file of its own: each test reads the same stream, and only sees what it expects by id. */
  checkpointFor(name: string): CheckpointFile;
  /** Stops the reader after the test. */
  stopAfterTest<Reader extends StreamPoller>(reader: Reader): Reader;
  putTransition(id: string): Promise<void>;
  putLead(id: string): Promise<void>;
}

/** Registers the file's hooks: a table before all tests, its readers stopped after each, all removed after all. */
export function useStreamTable(prefix: string): StreamTable {
  let table: TestTable | undefined;
  let streams: DynamoDBStreamsClient | undefined;
  let dataDir = "";
  const running: StreamPoller[] = [];

  beforeAll(async () => {
    table = await createTestTable(prefix);
    streams = localStreamsClient(table.endpoint);
    dataDir = await mkdtemp(join(tmpdir(), `ripen-${prefix}-`));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((reader) => reader.stop()));
  });
  afterAll(async () => {
    streams?.destroy();
    table?.client.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const ready = <Value>(value: Value | undefined): Value => {
    if (value === undefined) throw new Error("the stream table is made in beforeAll");
    return value;
  };
  const put = (item: Record<string, unknown>) =>
    ready(table)
      .client.send(new PutItemCommand({ TableName: ready(table).tableName, Item: marshall(item) }))
      .then(() => {});

  return {
    get table() {
      return ready(table);
    },
    get streams() {
      return ready(streams);
    },
    checkpointFor: (name) => checkpointFile(join(dataDir, `${name}.json`)),
    stopAfterTest: (reader) => {
      running.push(reader);
      return reader;
    },
    putTransition: (id) => put({ pk: `LEAD#${id}`, sk: `TRANSITION#${id}`, entity: "transition", to: "sql", id }),
    putLead: (id) => put({ pk: `LEAD#${id}`, sk: "LEAD", entity: "lead", stage: "mql", id }),
  };
}

/** The test ids of the records delivered, in order. */
export const idsIn = (batches: DynamoDBRecord[][]) => batches.flat().map((record) => record.dynamodb?.NewImage?.id?.S);

/** Long enough for a few polls: what would be delivered twice has been by then. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 400));
