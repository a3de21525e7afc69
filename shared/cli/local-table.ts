import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localDynamoDbClient } from "#shared/local/clients";
import { loadDotEnv } from "#shared/local/dotenv";
import { startDynamoDbLocal } from "#shared/local/dynamodb-local";
import { ensureTable } from "#shared/local/table";

export interface LocalTable {
  client: DynamoDBClient;
  tableName: string;
  /** Where the data is, for the first line a command prints. */
  describe: string;
  close(): Promise<void>;
}

/**
 * The table `npm start` uses, for the local commands: DYNAMODB_ENDPOINT when set (e.g. the engine a
 * running `npm start` uses), otherwise DynamoDB Local opened on the same data directory
 * (RIPEN_DATA_DIR, default .ripen), which works whether or not the server is running.
 */
export async function openLocalTable(): Promise<LocalTable> {
  await loadDotEnv(resolve(".env"));
  const tableName = process.env.TABLE_NAME || "ripen";
  const external = process.env.DYNAMODB_ENDPOINT;
  if (external) {
    const client = localDynamoDbClient(external);
    await ensureTable(client, tableName);
    return { client, tableName, describe: `table ${tableName} at ${external}`, close: async () => client.destroy() };
  }
  const dbPath = join(resolve(process.env.RIPEN_DATA_DIR || ".ripen"), "dynamodb");
  await mkdir(dbPath, { recursive: true });
  const engine = await startDynamoDbLocal({ dbPath });
  const client = localDynamoDbClient(engine.endpoint);
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    client.destroy();
    await engine.stop();
    throw error;
  }
  return {
    client,
    tableName,
    describe: `table ${tableName} in ${dbPath}`,
    close: async () => {
      client.destroy();
      await engine.stop();
    },
  };
}

/** `--name value` pairs from the command line; anything else is refused with the usage. */
export function parseFlags(argv: readonly string[], known: readonly string[], usage: string): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index]?.replace(/^--/, "") ?? "";
    const value = argv[index + 1];
    if (!argv[index]?.startsWith("--") || !known.includes(name) || value === undefined) {
      throw new Error(`usage: ${usage}`);
    }
    flags[name] = value;
  }
  return flags;
}
