/**
 * How the work queue runs in AWS, declared once: the stack sizes the queue and the worker from it, and
 * `npm run model -- rescore --aws` shares its budget among this many workers.
 */
export const WORK_QUEUE = {
  /** Workers at once (the event source's maximum concurrency): each paces itself to maxWru / workers. */
  workers: 8,
  /** A worker's timeout. */
  workerTimeoutSeconds: 300,
  /** A worker with less time left than this starts no new page: it hands its part over. */
  reserveMs: 30_000,
  /** A delivery not deleted by then is delivered again: how long a crashed worker's part waits. */
  visibilityTimeoutSeconds: 600,
  /** Deliveries of one work item before it goes to the dead-letter queue (a part that fails every time). */
  maxReceives: 5,
  /** Leads a worker works on at once. */
  concurrency: 8,
  /** The environment variable naming the queue (the stack's output WorkQueueUrl). */
  urlVariable: "RIPEN_WORK_QUEUE_URL",
} as const;

/**
 * Write request units per second a run uses unless told otherwise. An on-demand table absorbs about twice
 * its previous peak (4,000 WRU/s for a new one) before it throttles: a run that stays at a quarter of
 * that leaves live ingest its room.
 */
export const DEFAULT_MAX_WRU = 1_000;

/** What the local runtime names as the work queue: nothing listens there (see shared/local/lead-runs.ts). */
export const LOCAL_WORK_QUEUE_URL = "http://127.0.0.1:9/ripen-local-work-queue";
