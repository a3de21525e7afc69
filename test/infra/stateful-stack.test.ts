import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SECRET_TEMPLATE } from "../../infra/stateful-stack";
import { TABLE } from "../../shared/adapters/dynamodb/table-definition";
import { LEAD_STAGE_CHANGED } from "../../shared/application/lead-stage-changed";
import { resourceAt, synthRipen } from "./ripen-app";

const { stateful } = synthRipen();
const [, table] = resourceAt(stateful, "AWS::DynamoDB::Table", "/Table/Resource");

describe("the table", () => {
  it("has the keys and indexes TABLE declares, all strings", () => {
    // Assess
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      TABLE.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    );
    const keys = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    expect(table.Properties.AttributeDefinitions).toEqual(
      keys.map((name) => ({ AttributeName: name, AttributeType: "S" })),
    );
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
