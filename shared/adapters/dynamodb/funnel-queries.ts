import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TransitionLog } from "#shared/application/funnel";
import { FUNNEL_ATTRIBUTES, TRANSITIONS_BY_DAY, toFunnelTransition, transitionDayPk } from "./entities/transition";
import { partitionQuery, queryAll } from "./query";

/** The transition log by day: one Query (all pages) on the TDAY#<day> partition of the day index. */
export function dynamoTransitionLog(options: { client: DynamoDBClient; tableName: string }): TransitionLog {
  const { client, tableName } = options;
  return {
    async transitionsOn(day) {
      const partition = partitionQuery(TRANSITIONS_BY_DAY, transitionDayPk(day));
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: TRANSITIONS_BY_DAY.name,
        ...partition,
        ProjectionExpression: FUNNEL_ATTRIBUTES.map((_, index) => `#a${index}`).join(", "),
        ExpressionAttributeNames: {
          ...partition.ExpressionAttributeNames,
          ...Object.fromEntries(FUNNEL_ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
        },
      });
      return items.flatMap((item) => toFunnelTransition(item) ?? []);
    },
  };
}
