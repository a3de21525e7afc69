import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { SlaBreachLog } from "#shared/application/maintenance";
import { IS_ABSENT } from "./entities/item";
import { slaBreachItem } from "./entities/sla-breach";

/**
 * Breach records in the lead's partition (entities/sla-breach.ts), one per SLA rule and stay in a stage:
 * the key makes recording idempotent. The record leaves through the table's stream like a transition
 * does: no dual write, so a crash delays an alert but never loses it.
 */
export function dynamoSlaBreachLog(options: { client: DynamoDBClient; tableName: string }): SlaBreachLog {
  const { client, tableName } = options;
  return {
    async record(detail) {
      try {
        await client.send(
          new PutItemCommand({ TableName: tableName, Item: slaBreachItem(detail), ConditionExpression: IS_ABSENT }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
