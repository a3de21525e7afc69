import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { daysBetween } from "#shared/application/funnel";
import type { RecordedRange } from "#shared/application/recovery/republish";
import { batchGet } from "./batch";
import { entityOf } from "./entities/item";
import { SQL_READY, toSqlReadyRequest } from "./entities/sql-ready";
import { TRANSITION, TRANSITIONS_BY_DAY, toTransition, transitionDayPk } from "./entities/transition";
import { queryAll } from "./query";
import { TABLE } from "./table-definition";

/**
 * The transitions and the waits for review of [from, to] from the day index: one Query per UTC day on the
 * index's sort key (`<at>#<id>`; a wait is indexed at its start), then the items themselves (the index
 * projects only what the funnel reads). Erased people's stubs are left out: there is nothing to publish
 * about them.
 */
export function dynamoTransitionRange(options: { client: DynamoDBClient; tableName: string }): RecordedRange {
  const { client, tableName } = options;
  return {
    async between(from, to) {
      const keys = [];
      for (const day of daysBetween(from.slice(0, 10), to.slice(0, 10))) {
        const items = await queryAll(client, {
          TableName: tableName,
          IndexName: TRANSITIONS_BY_DAY.name,
          KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
          ExpressionAttributeNames: {
            "#pk": TRANSITIONS_BY_DAY.partitionKey,
            "#sk": TRANSITIONS_BY_DAY.sortKey,
            "#tpk": TABLE.partitionKey,
            "#tsk": TABLE.sortKey,
          },
          // "~" sorts after every id character: the whole last instant is in.
          ExpressionAttributeValues: marshall({ ":pk": transitionDayPk(day), ":from": from, ":to": `${to}~` }),
          ProjectionExpression: "#tpk, #tsk",
        });
        keys.push(...items);
      }
      const items = await batchGet(client, tableName, keys);
      const transitions = items
        .filter((item) => entityOf(item) === TRANSITION)
        .map(toTransition)
        .sort((a, b) => a.at.localeCompare(b.at));
      const waits = items
        .filter((item) => entityOf(item) === SQL_READY)
        .flatMap((item) => toSqlReadyRequest(item) ?? [])
        .sort((a, b) => a.since.localeCompare(b.since));
      return { transitions, waits };
    },
  };
}
