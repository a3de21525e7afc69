/** One event to put on the bus, as PutEvents takes it. */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: unknown;
}

/** The bus the recovery commands put events back on: EventBridge in AWS, the local bus under npm start. */
export interface EventPublisher {
  /** Puts the events; resolves once every one is accepted, rejects naming how many were not. */
  put(entries: readonly BusEntry[]): Promise<void>;
}

/** One message of a dead-letter queue: its body as stored, and the handle to remove it. */
export interface DeadMessage {
  id: string;
  body: unknown;
}

/**
 * A dead-letter queue: an SQS queue in AWS, the dead-letter file under npm start. `receive` hands out
 * messages not handed out before in this run (SQS hides them for its visibility timeout); `peek` looks
 * without taking; only `remove` deletes.
 */
export interface DeadLetterQueue {
  readonly name: string;
  count(): Promise<number>;
  peek(): Promise<DeadMessage[]>;
  receive(): Promise<DeadMessage[]>;
  remove(messages: readonly DeadMessage[]): Promise<void>;
}
