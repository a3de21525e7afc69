import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { CalibrationBenchResult } from "./calibration";
import type { CapacityResult } from "./capacity";
import type { ColdStartResult } from "./coldstart";
import type { CostResult } from "./cost";
import type { InitResult } from "./init";
import type { Machine } from "./machine";
import type { RescoreResult } from "./rescore";
import type { ScoringResult } from "./scoring";
import type { SequentialResult } from "./sequential";
import type { ThroughputResult } from "./throughput";

export const RESULTS_FILE = fileURLToPath(new URL("../../bench/results.json", import.meta.url));

/** One benchmark's figures with when and where they were measured. */
export interface Measured<Result> {
  measuredAt: string;
  machine: Machine;
  /** The 1, 5 and 15 minute load averages when the run started: figures from a busy machine are slower. */
  loadAverage: number[];
  result: Result;
}

export interface BenchResults {
  capacity?: Measured<CapacityResult>;
  throughput?: Measured<ThroughputResult>;
  sequential?: Measured<SequentialResult>;
  rescore?: Measured<RescoreResult>;
  calibration?: Measured<CalibrationBenchResult>;
  init?: Measured<InitResult>;
  coldstart?: Measured<ColdStartResult>;
  scoring?: Measured<ScoringResult>;
  cost?: Measured<CostResult>;
}

export async function readResults(): Promise<BenchResults> {
  try {
    return JSON.parse(await readFile(RESULTS_FILE, "utf8")) as BenchResults;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

/** Replaces the sections measured in this run and keeps the others, so a partial run updates its own figures. */
export async function writeResults(previous: BenchResults, measured: BenchResults): Promise<BenchResults> {
  const merged: BenchResults = { ...previous, ...measured };
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
