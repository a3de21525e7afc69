import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dynamoLeadHistoryScan } from "#shared/adapters/dynamodb/lead-histories";
import { calibrateModel } from "#shared/application/calibrate-model";
import { historyEvents } from "#shared/cli/history";
import { importFile } from "#shared/cli/import";
import { modelRules } from "#shared/domain/calibration/calibrate";
import { DEVELOPMENT_ID_KEY, pseudonyms } from "#shared/domain/pseudonyms";
import { localDynamoDbClient } from "#shared/local/clients";
import { ensureTable } from "#shared/local/table";
import { loadEngine, loadModel } from "#shared/runtime/scoring-model";

/** Leads the benchmark imports and calibrates on (the issue asks 50,000; RIPEN_BENCH_CALIBRATION_LEADS sets it). */
export const CALIBRATION_LEADS = Number(process.env.RIPEN_BENCH_CALIBRATION_LEADS ?? 50_000);
export const IMPORT_TARGET_EVENTS_PER_SECOND = 1_000;
export const CALIBRATION_TARGET_SECONDS = 30;

export interface CalibrationBenchResult {
  leads: number;
  events: number;
  import: { seconds: number; eventsPerSecond: number; stored: number; met: boolean };
  calibration: {
    seconds: number;
    leadsRead: number;
    train: number;
    holdout: number;
    rocAuc: { current: number; calibrated: number };
    met: boolean;
  };
  targets: { importEventsPerSecond: number; calibrationSeconds: number };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Import and calibration at volume, as a user runs them: `npm run history` writes CALIBRATION_LEADS
 * leads (seeded, so every run imports the same file), `npm run import`'s code imports the file into a
 * fresh table on DynamoDB Local (events per second, file reading included), then `npm run model --
 * calibrate`'s use case reads every stored lead back and calibrates the default model (seconds).
 */
export async function benchCalibration(
  endpoint: string,
  progress: (line: string) => void,
): Promise<CalibrationBenchResult> {
  const client = localDynamoDbClient(endpoint);
  const tableName = `bench-calibration-${Date.now()}`;
  const folder = await mkdtemp(join(tmpdir(), "ripen-bench-calibration-"));
  try {
    await ensureTable(client, tableName);
    const path = join(folder, "history.jsonl");
    const lines: string[] = [];
    for (const event of historyEvents({ leads: CALIBRATION_LEADS, seed: 1, until: new Date() })) {
      lines.push(JSON.stringify(event));
    }
    await writeFile(path, `${lines.join("\n")}\n`);
    progress(
      `calibration: importing ${CALIBRATION_LEADS.toLocaleString("en-US")} leads (${lines.length.toLocaleString("en-US")} events)…`,
    );
    const engine = loadEngine();
    const imported = await importFile(path, {
      client,
      tableName,
      engine,
      pseudonyms: pseudonyms(DEVELOPMENT_ID_KEY),
      report: () => {},
    });
    if (imported.failed > 0 || imported.stored !== lines.length) {
      throw new Error(`the import did not store every event: ${JSON.stringify(imported)}`);
    }
    const importRate = imported.events / imported.seconds;
    progress(
      `calibration: imported in ${round(imported.seconds)} s (${Math.round(importRate)} events/s); calibrating…`,
    );
    const began = performance.now();
    const run = await calibrateModel({
      histories: dynamoLeadHistoryScan({ client, tableName }),
      engine,
      modelRules: modelRules(loadModel()),
      clock: () => new Date(),
    })({ label: "won", holdout: 0.3 });
    const seconds = (performance.now() - began) / 1000;
    progress(`calibration: ${round(seconds)} s`);
    return {
      leads: CALIBRATION_LEADS,
      events: lines.length,
      import: {
        seconds: round(imported.seconds, 2),
        eventsPerSecond: Math.round(importRate),
        stored: imported.stored,
        met: importRate >= IMPORT_TARGET_EVENTS_PER_SECOND,
      },
      calibration: {
        seconds: round(seconds, 2),
        leadsRead: run.leads,
        train: run.report.train.leads,
        holdout: run.report.holdout.leads,
        rocAuc: {
          current: round(run.report.holdout.current.rocAuc, 3),
          calibrated: round(run.report.holdout.calibrated.rocAuc, 3),
        },
        met: seconds <= CALIBRATION_TARGET_SECONDS,
      },
      targets: {
        importEventsPerSecond: IMPORT_TARGET_EVENTS_PER_SECOND,
        calibrationSeconds: CALIBRATION_TARGET_SECONDS,
      },
    };
  } finally {
    client.destroy();
    await rm(folder, { recursive: true, force: true });
  }
}

/** The benchmark's figures as the report prints them. */
export function calibrationReport(result: CalibrationBenchResult, measuredAt: string): string {
  const { import: imported, calibration } = result;
  return [
    `== import and calibration of ${result.leads.toLocaleString("en-US")} generated leads (${result.events.toLocaleString("en-US")} events) on DynamoDB Local (${measuredAt})`,
    `import       ${imported.seconds} s, ${imported.eventsPerSecond} events/s (target ≥ ${result.targets.importEventsPerSecond}): ${imported.met ? "met" : "MISSED"}`,
    `calibration  ${calibration.seconds} s over ${calibration.leadsRead} leads, ${calibration.train} to fit, ${calibration.holdout} held out (target ≤ ${result.targets.calibrationSeconds} s): ${calibration.met ? "met" : "MISSED"}`,
    `holdout ROC-AUC: current ${calibration.rocAuc.current}, calibrated ${calibration.rocAuc.calibrated}`,
    "",
  ].join("\n");
}
