/**
 * The single table, defined once: the CDK stack, the local runtime and the tests all build it from here.
 * Keys are generic; what an item is lives in its `entity` attribute. Each entity, its keys and its item
 * layout live in entities/ (entities/item.ts has the overview).
 *
 * An index's name is its identity in AWS: its keys and projection cannot change in place. Changing
 * either means a new name (and key attributes kept), with the old one listed in RETIRED_INDEXES until
 * every deployed table has dropped it; MIGRATIONS.md says how to move a deployed table.
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
  /** What an item is (a lead, an event, a transition, ...): not a key, but every item has it. */
  entityAttribute: "entity",
  /** Items with this attribute (epoch seconds) expire: raw payload copies, idempotency markers. */
  ttlAttribute: "expiresAt",
  /** The stream carries new images: the Pipe and the local poller read transitions from it. */
  streamView: "NEW_AND_OLD_IMAGES",
  indexes: [
    {
      name: "gsi1v2",
      partitionKey: "gsi1pk",
      sortKey: "gsi1sk",
      serves: "leads in a stage by score (sharded)",
      projection: [],
    },
    {
      name: "gsi2v2",
      partitionKey: "gsi2pk",
      sortKey: "gsi2sk",
      serves: "leads in a stage by time entered (sharded)",
      projection: [],
    },
    {
      name: "gsi3v2",
      partitionKey: "gsi3pk",
      sortKey: "gsi3sk",
      serves: "leads of a company domain; transitions by day (with what the funnel needs)",
      projection: ["leadId", "from", "to", "at", "actor", "source", "campaign"],
    },
  ] satisfies IndexDefinition[],
} as const;

/** An index a deployed table may still have from an earlier release: kept as deployed, never read. */
export interface RetiredIndex {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** As it was deployed; "ALL" copied every attribute (personal data included) into the index. */
  projection: "ALL" | readonly string[];
  /** The index that took its place. */
  replacedBy: string;
}

/** Indexes earlier releases deployed, for the move in MIGRATIONS.md; only CDK context can name them. */
export const RETIRED_INDEXES = [
  { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: "ALL", replacedBy: "gsi1v2" },
  { name: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk", projection: "ALL", replacedBy: "gsi2v2" },
  { name: "gsi3", partitionKey: "gsi3pk", sortKey: "gsi3sk", projection: "ALL", replacedBy: "gsi3v2" },
] as const satisfies readonly RetiredIndex[];

export type IndexProjection =
  | { ProjectionType: "KEYS_ONLY" }
  | { ProjectionType: "INCLUDE"; NonKeyAttributes: string[] }
  | { ProjectionType: "ALL" };

/**
 * The projection DynamoDB gets for a list of projected attributes: none → KEYS_ONLY, else INCLUDE.
 * The one derivation: the CDK stack and createTableInput (DynamoDB Local, the benchmarks) both use it.
 */
export function indexProjection(projection: "ALL" | readonly string[]): IndexProjection {
  if (projection === "ALL") return { ProjectionType: "ALL" };
  return projection.length === 0
    ? { ProjectionType: "KEYS_ONLY" }
    : { ProjectionType: "INCLUDE", NonKeyAttributes: [...projection] };
}

/** A GSI as CreateTable and CloudFormation declare it. */
export function globalSecondaryIndex(index: IndexDefinition | RetiredIndex) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: "HASH" as const },
      { AttributeName: index.sortKey, KeyType: "RANGE" as const },
    ],
    Projection: indexProjection(index.projection),
  };
}

export type TableIndex = (typeof TABLE.indexes)[number];
export type IndexName = TableIndex["name"];

/** A current index by name: what an entity's index keys and a Query on the index are built from. */
export function indexNamed(name: IndexName): TableIndex {
  const index = TABLE.indexes.find((candidate) => candidate.name === name);
  if (!index) throw new Error(`table-definition.ts has no index ${name}`);
  return index;
}

/** A current or retired index by name, for a stack that is between two releases. */
export function knownIndex(name: string): IndexDefinition | RetiredIndex | undefined {
  return [...TABLE.indexes, ...RETIRED_INDEXES].find((index) => index.name === name);
}

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
    GlobalSecondaryIndexes: TABLE.indexes.map(globalSecondaryIndex),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
  };
}
