import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { SlaBreachLog } from "../../application/maintenance";
import { LeadSlaBreachedDetail } from "../../bus/lead-sla-breached";
import { leadPk, slaBreachSk } from "./keys";
import type { StreamRecord } from "./stream";

/**
 * Breach records in the lead's partition (so an erasure takes them too), one per SLA rule and stay in a
 * stage: the key makes recording idempotent. The record carries the bus event's detail and leaves
 * through the table's stream like a transition does: no dual write, so a crash delays an alert but
 * never loses it.
 */
export function dynamoSlaBreachLog(options: { client: DynamoDBClient; tableName: string }): SlaBreachLog {
  const { client, tableName } = options;
  return {
    async record(detail) {
      const { lead, ruleId, stageEnteredAt } = detail.data;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: marshall(
              {
                pk: leadPk(lead.leadId),
                sk: slaBreachSk(ruleId, stageEnteredAt),
                entity: "sla-breach",
                breachId: detail.metadata.breachId,
                detail,
              },
              { removeUndefinedValues: true },
            ),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}

/** The `Lead SLA Breached` detail a stream record inserted, or undefined for any other record. */
export function slaBreachFromRecord(record: StreamRecord): LeadSlaBreachedDetail | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== "INSERT" || image?.entity?.S !== "sla-breach") return undefined;
  const parsed = LeadSlaBreachedDetail.safeParse(unmarshall(image).detail);
  return parsed.success ? parsed.data : undefined;
}
