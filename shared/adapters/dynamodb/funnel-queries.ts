import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TransitionLog } from "#shared/application/funnel";
import { SK } from "./entities/item";
import { toFunnelWait } from "./entities/sql-ready";
import { FUNNEL_ATTRIBUTES, TRANSITIONS_BY_DAY, toFunnelTransition, transitionDayPk } from "./entities/transition";
import { partitionQuery, queryAll } from "./query";

const ATTRIBUTES = [...FUNNEL_ATTRIBUTES, SK];

/**
 * The transition log by day: one Query (all pages) on the TDAY#<day> partition of the day index, which
 * holds the day's transitions, erased people's stubs and the waits for review that began that day (told
 * apart by the table's sort key, which every index projects).
 */
export function dynamoTransitionLog(options: { client: DynamoDBClient; tableName: string }): TransitionLog {
  const { client, tableName } = options;
  return {
    async dayOf(day) {
      const partition = partitionQuery(TRANSITIONS_BY_DAY, transitionDayPk(day));
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: TRANSITIONS_BY_DAY.name,
        ...partition,
        ProjectionExpression: ATTRIBUTES.map((_, index) => `#a${index}`).join(", "),
        ExpressionAttributeNames: {
          ...partition.ExpressionAttributeNames,
          ...Object.fromEntries(ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
        },
      });
      return {
        transitions: items.flatMap((item) => toFunnelTransition(item) ?? []),
        waits: items.flatMap((item) => toFunnelWait(item) ?? []),
      };
    },
  };
}
