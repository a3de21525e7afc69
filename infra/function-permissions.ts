import type { FunctionName } from "#shared/runtime/routes";

/** What one function may touch. Anything not listed here it cannot reach. */
export interface FunctionPermissions {
  /** Item reads (and writes) on the table and its indexes. */
  table?: "read" | "readWrite";
  /**
   * Scan of the table: only for batch runs over every lead (a rescore, a preview), read as parallel
   * segments by the run worker. No request path scans.
   */
  scan?: boolean;
  /** SendMessage on the work queue of batch runs (its URL in RIPEN_WORK_QUEUE_URL): starting a run, handing a part over. */
  workQueue?: boolean;
  /** GetSecretValue on the Ripen secret (sender signing secrets, Slack credentials). */
  secrets?: boolean;
  /** GetSecretValue on the lead id key: functions that turn an email or an event id into its pseudonym. */
  idKey?: boolean;
  /** GetSecretValue on the link key: functions that make or check signed links to lead and funnel pages. */
  linkKey?: boolean;
  /** ses:SendEmail on the configured identity and configuration set (needs the ripen:fromAddress context). */
  sendEmail?: boolean;
}

/**
 * Least privilege, decided per function. A function in FUNCTIONS without an entry here fails the synth,
 * so a new function's permissions are a decision, not a default.
 */
export const FUNCTION_PERMISSIONS: Record<FunctionName, FunctionPermissions> &
  Record<string, FunctionPermissions | undefined> = {
  // Reads the lead and its events, writes event, lead and transition in one transaction; verifies signatures.
  ingest: { table: "readWrite", secrets: true, idKey: true },
  // Finds a lead by email: the email's pseudonym needs the key; checks the links lead and funnel pages open with.
  read: { table: "read", idKey: true, linkKey: true },
  // Pure mapping from stream records to bus event details: the Pipe puts them on the bus.
  publish: {},
  // Idempotency markers per transition live in the table; the webhook URL lives in the secret.
  // Each alert carries a signed link to its lead's page.
  "notify-slack": { table: "readWrite", secrets: true, linkKey: true },
  "notify-email": { table: "readWrite", sendEmail: true, linkKey: true },
  // Slack buttons and lead pages: verifies the Slack signature or the link, then the same write path as ingest.
  actions: { table: "readWrite", secrets: true, linkKey: true },
  // GDPR erasure: queries the person's partition, deletes it, writes a PII-free tombstone; takes an email.
  erase: { table: "readWrite", idKey: true },
  // Starts the daily sweep's run: its header and parts in the table, its work items on the work queue.
  maintenance: { table: "readWrite", workQueue: true },
  // Works on the parts of runs (rescore, preview, sweep): Scan segments or stage shards, version-checked
  // lead writes, checkpoints; hands a part over on the work queue when its time runs short.
  worker: { table: "readWrite", scan: true, workQueue: true },
};

export function permissionsOf(name: string): FunctionPermissions {
  const permissions = FUNCTION_PERMISSIONS[name];
  if (!permissions) {
    throw new Error(`function "${name}" has no entry in infra/function-permissions.ts: decide what it may touch`);
  }
  return permissions;
}
