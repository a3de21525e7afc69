import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { TransitionLog } from "../../application/funnel";
import type { FunnelTransition } from "../../domain/funnel";
import { Stage } from "../../domain/stages";
import type { Item } from "./items";
import { transitionDayPk } from "./keys";
import { queryAll } from "./query";
import { indexNamed } from "./table-definition";

const DAY_INDEX = indexNamed("gsi3v2");

/** Only the attributes the funnel reads (the index projects these, so nothing else is billed). */
const FUNNEL_ATTRIBUTES = ["leadId", "from", "to", "at", "source", "campaign"];

/** A funnel transition from an index item: a live transition or an erased person's stub. */
export function toFunnelTransition(item: Item): FunnelTransition | undefined {
  const record = unmarshall(item);
  const to = Stage.safeParse(record.to);
  const from = record.from === null || record.from === undefined ? null : Stage.safeParse(record.from);
  if (!to.success || (from !== null && !from.success)) return undefined;
  if (typeof record.leadId !== "string" || typeof record.at !== "string") return undefined;
  return {
    leadId: record.leadId,
    from: from === null ? null : from.data,
    to: to.data,
    at: record.at,
    ...(typeof record.source === "string" && { source: record.source }),
    ...(typeof record.campaign === "string" && { campaign: record.campaign }),
  };
}

/** The transition log by day: one Query (all pages) on the TDAY#<day> partition of the day index. */
export function dynamoTransitionLog(options: { client: DynamoDBClient; tableName: string }): TransitionLog {
  const { client, tableName } = options;
  return {
    async transitionsOn(day) {
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: DAY_INDEX.name,
        KeyConditionExpression: "#pk = :pk",
        ProjectionExpression: FUNNEL_ATTRIBUTES.map((_, index) => `#a${index}`).join(", "),
        ExpressionAttributeNames: {
          "#pk": DAY_INDEX.partitionKey,
          ...Object.fromEntries(FUNNEL_ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
        },
        ExpressionAttributeValues: marshall({ ":pk": transitionDayPk(day) }),
      });
      return items.flatMap((item) => toFunnelTransition(item) ?? []);
    },
  };
}
