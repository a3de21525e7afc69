import { randomUUID } from "node:crypto";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { AlertClaim, AlertKey, AlertLedger } from "#shared/application/ports/alert-ledger";
import { alertClaimKey, sendingClaimItem } from "./entities/alert-claim";
import { IS_ABSENT } from "./entities/item";

export interface DynamoAlertLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: () => Date;
  /** How long a claim blocks other deliveries before it lapses (the sender crashed): above the function timeout. */
  leaseSeconds?: number;
  /** How long a sent alert is remembered: longer than the bus retries and a dead-letter redrive. */
  keepDays?: number;
}

/**
 * The alert ledger as alert claim items in the single table (entities/alert-claim.ts). A claim is a
 * conditional put (absent, or a lapsed `sending` claim); confirm and release are conditional on the
 * claim's own token, so a slow sender can never confirm or delete a claim someone else took over.
 */
export function dynamoAlertLedger(options: DynamoAlertLedgerOptions): AlertLedger {
  const { client, tableName, clock = () => new Date(), leaseSeconds = 60, keepDays = 30 } = options;

  return {
    async claim(key: AlertKey): Promise<AlertClaim | "sent" | "in-flight"> {
      const now = clock().getTime();
      const token = randomUUID();
      const itemKey = alertClaimKey(key);
      const expiresAt = Math.floor(now / 1000) + keepDays * 86_400;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: sendingClaimItem(key, { token, leaseUntil: now + leaseSeconds * 1000, expiresAt }),
            ConditionExpression: `${IS_ABSENT} OR (#state = :sending AND leaseUntil < :now)`,
            ExpressionAttributeNames: { "#state": "state" },
            ExpressionAttributeValues: marshall({ ":sending": "sending", ":now": now }),
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return error.Item?.state?.S === "sent" ? "sent" : "in-flight";
      }
      const ours = {
        ConditionExpression: "#token = :token",
        ExpressionAttributeNames: { "#token": "token" },
      };
      return {
        async confirm() {
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: itemKey,
              UpdateExpression: "SET #state = :sent, sentAt = :at REMOVE leaseUntil",
              ConditionExpression: ours.ConditionExpression,
              ExpressionAttributeNames: { ...ours.ExpressionAttributeNames, "#state": "state" },
              ExpressionAttributeValues: marshall({ ":sent": "sent", ":at": clock().toISOString(), ":token": token }),
            }),
          );
        },
        async release() {
          try {
            await client.send(
              new DeleteItemCommand({
                TableName: tableName,
                Key: itemKey,
                ...ours,
                ExpressionAttributeValues: marshall({ ":token": token }),
              }),
            );
          } catch (error) {
            // The lease lapsed and another delivery holds the alert now: it is theirs to finish.
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }
        },
      };
    },
  };
}
