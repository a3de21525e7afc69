import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startDynamoDbLocal } from "#shared/local/dynamodb-local";

/** The engine the benchmarks run against: DYNAMODB_ENDPOINT when set, else an in-memory DynamoDB Local. */
export interface BenchEngine {
  endpoint: string;
  description: string;
  stop(): Promise<void>;
}

export async function startBenchEngine(log: (line: string) => void): Promise<BenchEngine> {
  const external = process.env.DYNAMODB_ENDPOINT;
  if (external) return { endpoint: external, description: `DynamoDB at ${external}`, stop: async () => {} };
  log("starting DynamoDB Local (in memory)…");
  const engine = await startDynamoDbLocal();
  return { endpoint: engine.endpoint, description: "DynamoDB Local (in memory)", stop: () => engine.stop() };
}

/** Capacity one request consumed, split as DynamoDB reports it with ReturnConsumedCapacity INDEXES. */
export interface ConsumedUnits {
  operation: string;
  kind: "read" | "write";
  total: number;
  table: number;
  indexes: Record<string, number>;
  /** The items a read returned and whether it was strongly consistent. */
  itemsRead: Item[];
  consistent: boolean;
  /** How many keys a GetItem or BatchGetItem asked for (each is billed, found or not). */
  keysRequested: number;
  /** The items a write put (Put actions of a transaction, or a PutItem). */
  itemsWritten: Item[];
  /** Delete actions of a transaction (billed as DynamoDB reported them, or 1 unit each when cancelled). */
  deletes: number;
  /** The request failed (a cancelled transaction): DynamoDB returned no ConsumedCapacity, yet bills it. */
  cancelled?: string;
  /** When its answer came (performance.now(), ms). */
  answeredAt?: number;
}

type Item = Record<string, AttributeValue>;

interface CapacityEntry {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

const READS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);

/**
 * Asks DynamoDB for the capacity of every request the client sends (ReturnConsumedCapacity INDEXES,
 * which also gives the table/index split) and keeps it. Adapters that ask for TOTAL get INDEXES
 * instead; their own totals are unchanged. Call it before the client's first request: a client
 * resolves each command's middleware once (RESOLVE_MIDDLEWARE_ONCE).
 */
export function recordCapacity(client: DynamoDBClient): { take(): ConsumedUnits[] } {
  let consumed: ConsumedUnits[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        ConsistentRead?: boolean;
        Key?: Item;
        Item?: Item;
        RequestItems?: Record<string, { Keys?: Item[]; ConsistentRead?: boolean }>;
        TransactItems?: { Put?: { Item?: Item }; Delete?: unknown }[];
      };
      input.ReturnConsumedCapacity = "INDEXES";
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      const batchRead = operation === "BatchGetItem" ? Object.values(input.RequestItems ?? {}) : [];
      const units: ConsumedUnits = {
        operation,
        kind: READS.has(operation) ? "read" : "write",
        total: 0,
        table: 0,
        indexes: {},
        itemsRead: [],
        consistent: input.ConsistentRead === true || batchRead.some((request) => request.ConsistentRead === true),
        keysRequested: input.Key ? 1 : batchRead.reduce((sum, request) => sum + (request.Keys?.length ?? 0), 0),
        itemsWritten: [
          ...(input.Item ? [input.Item] : []),
          ...(input.TransactItems ?? []).flatMap((action) => (action.Put?.Item ? [action.Put.Item] : [])),
        ],
        deletes: (input.TransactItems ?? []).filter((action) => action.Delete).length,
      };
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        units.cancelled = (error as Error).name || "Error";
        units.answeredAt = performance.now();
        consumed.push(units);
        throw error;
      }
      const output = result.output as {
        ConsumedCapacity?: CapacityEntry | CapacityEntry[];
        Items?: Item[];
        Item?: Item;
        Responses?: Record<string, Item[]>;
      };
      const entries = [output.ConsumedCapacity ?? []].flat();
      units.itemsRead = [
        ...(output.Items ?? []),
        ...(output.Item ? [output.Item] : []),
        ...Object.values(output.Responses ?? {}).flat(),
      ];
      for (const entry of entries) {
        units.total += entry.CapacityUnits ?? 0;
        units.table += entry.Table?.CapacityUnits ?? 0;
        for (const [name, index] of Object.entries({
          ...entry.GlobalSecondaryIndexes,
          ...entry.LocalSecondaryIndexes,
        })) {
          units.indexes[name] = (units.indexes[name] ?? 0) + (index.CapacityUnits ?? 0);
        }
      }
      units.answeredAt = performance.now();
      consumed.push(units);
      return result;
    },
    { step: "initialize", name: "benchConsumedCapacity" },
  );
  return {
    take() {
      const taken = consumed;
      consumed = [];
      return taken;
    },
  };
}
