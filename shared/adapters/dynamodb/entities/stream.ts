import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** A DynamoDB stream record as the Pipe (and the local poller) hands it over. */
export interface StreamRecord {
  eventID?: string;
  eventName?: "INSERT" | "MODIFY" | "REMOVE" | string;
  dynamodb?: { NewImage?: Record<string, AttributeValue>; Keys?: Record<string, AttributeValue> };
}
