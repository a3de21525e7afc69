import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { createTableInput, RETIRED_INDEXES, TABLE } from "#shared/adapters/dynamodb/table-definition";
import { LEAD_STAGE_CHANGED } from "#shared/bus/lead-stage-changed";
import { SECRET_TEMPLATE } from "../../infra/stateful-stack";
import { buildRipen, resourceAt, synthRipen } from "./ripen-app";

const { stateful } = synthRipen();
const [, table] = resourceAt(stateful, "AWS::DynamoDB::Table", "/Table/Resource");

describe("the table", () => {
  it("has the keys and indexes TABLE declares, all strings", () => {
    // Assess
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
    ]);
    expect(
      (table.Properties.GlobalSecondaryIndexes as { IndexName: string }[]).map((index) => index.IndexName),
    ).toEqual(TABLE.indexes.map((index) => index.name));
    const keys = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    expect(table.Properties.AttributeDefinitions).toEqual(
      keys.map((name) => ({ AttributeName: name, AttributeType: "S" })),
    );
  });

  it("declares every index exactly as DynamoDB Local and the benchmarks get it, projection included", () => {
    // Prepare
    const local = createTableInput("benchmarked").GlobalSecondaryIndexes;

    // Assess
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(local);
    const projections = local.map((index) => index.Projection.ProjectionType);
    expect(projections).not.toContain("ALL");
    expect(projections).toEqual(
      TABLE.indexes.map((index) => (index.projection.length === 0 ? "KEYS_ONLY" : "INCLUDE")),
    );
  });

  it("gives no index a name once deployed with another projection (it cannot change in place)", () => {
    const retired = RETIRED_INDEXES.map((index) => index.name);
    expect(retired.length).toBeGreaterThan(0);
    for (const index of TABLE.indexes) expect(retired).not.toContain(index.name);
    for (const index of RETIRED_INDEXES) {
      expect(TABLE.indexes.map((current) => current.name)).toContain(index.replacedBy);
    }
  });

  it("is on-demand with point-in-time recovery, a stream and the TTL attribute", () => {
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: TABLE.streamView },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
  });

  it("survives a stack deletion and cannot be deleted by accident", () => {
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
  });
});

describe("a table moving between releases (ripen:tableIndexes, MIGRATIONS.md)", () => {
  const indexesWith = (tableIndexes: string) => {
    const ripen = buildRipen({ context: { "ripen:tableIndexes": tableIndexes } });
    const [, moving] = resourceAt(Template.fromStack(ripen.stateful), "AWS::DynamoDB::Table", "/Table/Resource");
    return {
      ripen,
      indexes: moving.Properties.GlobalSecondaryIndexes as Record<string, unknown>[],
      parameters: Template.fromStack(ripen.stateless).toJSON().Parameters,
    };
  };

  it("keeps the retired indexes as deployed (ALL) beside the new ones, in the listed order", () => {
    // Act
    const { ripen, indexes } = indexesWith("gsi1,gsi2,gsi3,gsi1v2");

    // Assess
    const [current] = createTableInput("benchmarked").GlobalSecondaryIndexes;
    expect(indexes).toEqual([
      ...RETIRED_INDEXES.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
      current,
    ]);
    expect(
      Annotations.fromStack(ripen.stateful).findWarning("*", Match.stringLikeRegexp("retired gsi1, gsi2, gsi3")),
    ).toHaveLength(1);
  });

  it("makes CloudFormation refuse the functions until the table lists every index they read", () => {
    // Act
    const partway = indexesWith("gsi1,gsi2,gsi3,gsi1v2,gsi2v2").parameters;
    const complete = indexesWith("gsi1,gsi2,gsi3,gsi1v2,gsi2v2,gsi3v2").parameters;

    // Assess
    const guard = partway.TableIndexesReady;
    expect(guard).toMatchObject({
      Type: "String",
      AllowedValues: ["yes"],
      ConstraintDescription: expect.stringMatching(/the table lacks gsi3v2 .*deploy RipenStateful alone/),
    });
    expect(guard.AllowedValues).not.toContain(guard.Default);
    expect(complete.TableIndexesReady).toBeUndefined();
    expect(synthRipen().stateless.toJSON().Parameters.TableIndexesReady).toBeUndefined();
  });

  it("takes a cdk.json array too, and names a wrong entry", () => {
    expect(indexesWith(["gsi1v2", "gsi2v2", "gsi3v2"] as unknown as string).indexes).toHaveLength(3);
    expect(() => indexesWith("gsi1v2,gsi9")).toThrow(/ripen:tableIndexes: gsi9 is no index/);
    expect(() => indexesWith("gsi1v2,gsi1v2")).toThrow(/ripen:tableIndexes: names an index twice/);
  });
});

describe("the bus", () => {
  it("archives Ripen's events for replay, for a bounded time", () => {
    // Prepare
    const [busId] = resourceAt(stateful, "AWS::Events::EventBus", "/Bus/Resource");

    // Assess
    stateful.hasResourceProperties("AWS::Events::Archive", {
      SourceArn: { "Fn::GetAtt": [busId, "Arn"] },
      EventPattern: { source: [LEAD_STAGE_CHANGED.source] },
      RetentionDays: 30,
    });
  });
});

describe("the secret", () => {
  it("is retained, holds the Slack keys and generates the generic sender's signing secret", () => {
    stateful.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({
          GenerateStringKey: "RIPEN_SECRET_GENERIC",
          SecretStringTemplate: JSON.stringify(SECRET_TEMPLATE),
        }),
      }),
    });
  });
});

describe("the lead id key", () => {
  it("is a secret of its own, generated at the first deploy and retained", () => {
    // Prepare
    const [, key] = resourceAt(stateful, "AWS::SecretsManager::Secret", "/IdKey/Resource");

    // Assess
    expect(key.DeletionPolicy).toBe("Retain");
    expect(key.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 64 });
    expect(key.Properties).not.toHaveProperty("SecretString");
  });
});

describe("the link key", () => {
  it("is a secret of its own, generated at the first deploy and retained, apart from the lead id key", () => {
    // Prepare
    const [linkId, key] = resourceAt(stateful, "AWS::SecretsManager::Secret", "/LinkKey/Resource");
    const [idKeyId] = resourceAt(stateful, "AWS::SecretsManager::Secret", "/IdKey/Resource");

    // Assess
    expect(linkId).not.toBe(idKeyId);
    expect(key.DeletionPolicy).toBe("Retain");
    expect(key.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 64 });
    expect(key.Properties).not.toHaveProperty("SecretString");
  });
});
