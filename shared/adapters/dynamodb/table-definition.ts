/**
 * The single table, defined once: the CDK stack, the local runtime and the tests all build it from here.
 * Keys are generic; what an item is lives in its `entity` attribute. See keys.ts for the key layouts.
 */
export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** What the index serves, for the reader of this file and the README. */
  serves: string;
  /**
   * Non-key attributes copied into the index. Kept small on purpose: an index is written whenever a
   * projected attribute changes, so projecting a lead's score would bill an index write per webhook.
   */
  projection: readonly string[];
}

export const TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Items with this attribute (epoch seconds) expire: raw payload copies, idempotency markers. */
  ttlAttribute: "expiresAt",
  /** The stream carries new images: the Pipe and the local poller read transitions from it. */
  streamView: "NEW_AND_OLD_IMAGES",
  indexes: [
    {
      name: "gsi1",
      partitionKey: "gsi1pk",
      sortKey: "gsi1sk",
      serves: "leads in a stage by score (sharded)",
      projection: [],
    },
    {
      name: "gsi2",
      partitionKey: "gsi2pk",
      sortKey: "gsi2sk",
      serves: "leads in a stage by time entered (sharded)",
      projection: [],
    },
    {
      name: "gsi3",
      partitionKey: "gsi3pk",
      sortKey: "gsi3sk",
      serves: "leads of a company domain; transitions by day (with what the funnel needs)",
      projection: ["leadId", "from", "to", "at", "actor", "source", "campaign"],
    },
  ] satisfies IndexDefinition[],
} as const;

/** Every key attribute, each a string. */
export function keyAttributes(): string[] {
  return [TABLE.partitionKey, TABLE.sortKey, ...TABLE.indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
}

/** The CreateTable input for the local engine and the tests (on-demand, stream on, all indexes). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: keyAttributes().map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" as const },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: TABLE.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" as const },
        { AttributeName: index.sortKey, KeyType: "RANGE" as const },
      ],
      Projection:
        index.projection.length === 0
          ? { ProjectionType: "KEYS_ONLY" as const }
          : { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...index.projection] },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
  };
}
