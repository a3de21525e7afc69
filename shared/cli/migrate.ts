import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Item } from "#shared/adapters/dynamodb/entities/item";
import { dynamoLeadRekey } from "#shared/adapters/dynamodb/rekey";
import { DEVELOPMENT_ID_KEY, pseudonyms } from "#shared/domain/pseudonyms";
import { pseudonymSource } from "#shared/runtime/pseudonyms";
import { runWhenStarted } from "./command";
import { openTable } from "./model-store";

export interface LeadIdMigrationCounts {
  /** Partitions moved to their keyed id (merged: into a lead the new id had got meanwhile). */
  moved: number;
  merged: number;
  /** Items written under the new ids. */
  items: number;
  /** Already keyed (or, for a tombstone an earlier release wrote without the email, left as it is). */
  current: number;
  auditsRekeyed: number;
  auditsStripped: number;
}

/** Where an interrupted migration resumes: the Scan's position after the last page it finished. */
export interface MigrationCheckpoint {
  read(): Item | undefined;
  write(position: Item): void;
  clear(): void;
}

/**
 * Moves every partition of the table to its keyed lead id, page by page, then re-keys the erasure
 * audits. Idempotent (a second run finds everything current) and resumable (the checkpoint names the
 * last page done). The old-to-new ids it learns are kept in memory only: they link a bare hash of an
 * email to its pseudonym, which no file should hold.
 */
export async function migrateLeadIds(deps: {
  rekey: ReturnType<typeof dynamoLeadRekey>;
  checkpoint: MigrationCheckpoint;
  progress?: (counts: LeadIdMigrationCounts) => void;
}): Promise<LeadIdMigrationCounts> {
  const counts: LeadIdMigrationCounts = {
    moved: 0,
    merged: 0,
    items: 0,
    current: 0,
    auditsRekeyed: 0,
    auditsStripped: 0,
  };
  const movedIds = new Map<string, string>();
  let position = deps.checkpoint.read();
  do {
    const page = await deps.rekey.page(position);
    for (const root of page.roots) {
      const outcome = await deps.rekey.rekey(root);
      if (outcome.kind === "moved") {
        counts.moved++;
        counts.items += outcome.items;
        if (outcome.merged) counts.merged++;
        movedIds.set(outcome.from, outcome.to);
      } else counts[outcome.kind]++;
    }
    position = page.next;
    if (position) deps.checkpoint.write(position);
    deps.progress?.(counts);
  } while (position);
  const audits = await deps.rekey.rekeyAudits(movedIds);
  counts.auditsRekeyed = audits.rekeyed;
  counts.auditsStripped = audits.stripped;
  deps.checkpoint.clear();
  return counts;
}

const USAGE = "usage: npm run migrate -- lead-ids [--aws]";

/**
 * `npm run migrate -- lead-ids [--aws]`: the table of `npm start` (or, with --aws, TABLE_NAME in the AWS
 * account of the environment, with the key the stack generated: RIPEN_ID_KEY_ARN, its output IdKeyArn).
 */
export async function runMigration(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  const flags = new Set(rest);
  if (name !== "lead-ids" || [...flags].some((flag) => flag !== "--aws")) {
    console.error(USAGE);
    return 2;
  }
  const aws = flags.has("--aws");
  if (aws && !process.env.RIPEN_ID_KEY_ARN) {
    console.error("--aws needs RIPEN_ID_KEY_ARN (the RipenStateful output IdKeyArn) and TABLE_NAME");
    return 2;
  }
  // Locally the key `npm start` hashes with: RIPEN_ID_KEY, or the development key.
  const ids = aws ? await pseudonymSource(process.env)() : pseudonyms(process.env.RIPEN_ID_KEY || DEVELOPMENT_ID_KEY);
  const table = await openTable(aws);
  console.log(`Moving leads to keyed ids in ${table.describe}`);
  try {
    const counts = await migrateLeadIds({
      rekey: dynamoLeadRekey({ ...table, pseudonyms: ids }),
      checkpoint: checkpointFile(table.tableName),
      progress: (counts) => process.stderr.write(`\r${counts.moved} moved, ${counts.current} current`),
    });
    process.stderr.write("\n");
    console.log(
      `${counts.moved} moved (${counts.merged} merged into a lead created meanwhile, ${counts.items} items), ` +
        `${counts.current} already keyed; ` +
        `audits: ${counts.auditsRekeyed} re-keyed, ${counts.auditsStripped} without a lead id now`,
    );
    return 0;
  } finally {
    await table.close();
  }
}

/** The Scan position of an interrupted run, per table, beside the local data. */
function checkpointFile(tableName: string): MigrationCheckpoint {
  const dir = resolve(process.env.RIPEN_DATA_DIR || ".ripen");
  const path = join(dir, `migrate-lead-ids-${tableName.replace(/[^\w.-]/g, "_")}.json`);
  return {
    read() {
      try {
        return JSON.parse(readFileSync(path, "utf8")) as Item;
      } catch {
        return undefined;
      }
    },
    write(position) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, JSON.stringify(position));
    },
    clear: () => rmSync(path, { force: true }),
  };
}

runWhenStarted(import.meta.url, "migrate", runMigration);
