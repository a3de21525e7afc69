import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { EventPattern } from "#shared/bus/summary-schemas";
import { ENTITY, type Item } from "./item";

/** A DynamoDB stream record as the Pipe (and the local poller) hands it over. */
export interface StreamRecord {
  eventID?: string;
  eventName?: "INSERT" | "MODIFY" | "REMOVE" | string;
  dynamodb?: { NewImage?: Record<string, AttributeValue>; Keys?: Record<string, AttributeValue> };
}

/**
 * An item a migration copied under a new key carries this attribute (`npm run migrate`): it was
 * published when it was first written, so its copy's INSERT is not published again.
 */
export const MOVED_ATTRIBUTE = "moved";
const NOT_MOVED = { [MOVED_ATTRIBUTE]: { S: [{ exists: false }] } };

const INSERT = "INSERT";

/**
 * New items of one entity on the table stream, both ways they are recognised: the Pipe's filter (an
 * EventBridge pattern on the record) and the publisher's check of a record it is handed, built from
 * the same entity name so they cannot disagree on what kind of item is published.
 */
export function insertedItems(entity: string) {
  return {
    /** New items of the entity but a migration's copies, with more of their image to match when given. */
    filter: (image: EventPattern = {}): EventPattern => ({
      eventName: [INSERT],
      dynamodb: { NewImage: { [ENTITY]: { S: [entity] }, ...NOT_MOVED, ...image } },
    }),
    /** The image a record inserted when it is an item of the entity (what passed the filter), else undefined. */
    image: (record: StreamRecord): Item | undefined => {
      const image = record.dynamodb?.NewImage;
      return record.eventName === INSERT && image?.[ENTITY]?.S === entity ? image : undefined;
    },
  };
}
