import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Transition } from "../../domain/lead";
import { toTransition } from "./items";

/** A DynamoDB stream record as the Pipe (and the local poller) hands it over. */
export interface StreamRecord {
  eventID?: string;
  eventName?: "INSERT" | "MODIFY" | "REMOVE" | string;
  dynamodb?: { NewImage?: Record<string, AttributeValue>; Keys?: Record<string, AttributeValue> };
}

/** The transition a stream record inserted, or undefined for any other record. */
export function transitionFromRecord(record: StreamRecord): Transition | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== "INSERT" || image?.entity?.S !== "transition") return undefined;
  return toTransition(image);
}
