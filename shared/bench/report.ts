import { calibrationReport } from "./calibration";
import type { CapacityResult, Units } from "./capacity";
import type { ColdStartResult } from "./coldstart";
import type { CostResult } from "./cost";
import type { InitResult } from "./init";
import { machineLine } from "./machine";
import type { RescoreResult } from "./rescore";
import type { BenchResults, Measured } from "./results";
import type { ScoringResult } from "./scoring";
import type { SequentialResult } from "./sequential";
import { round } from "./stats";
import type { ThroughputResult } from "./throughput";

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(headers: readonly string[], rows: readonly (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const numeric = headers.map((_, column) => rows.every((row) => typeof row[column] === "number"));
  const render = (row: readonly string[]) =>
    row
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [render(headers), widths.map((width) => "-".repeat(width)).join("  "), ...cells.slice(1).map(render)].join(
    "\n",
  );
}

const verdict = (met: boolean) => (met ? "met" : "MISSED");
const statuses = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([status, count]) => `${count}× ${status}`)
    .join(", ");
const indexes = (units: Units) =>
  Object.entries(units.indexWrite)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ") || "-";

function heading<Result>(title: string, measured: Measured<Result>): string {
  const load = measured.loadAverage.map((value) => value.toFixed(1)).join(" ");
  return `\n== ${title} (${measured.measuredAt}; load average ${load})`;
}

function capacityReport(measured: Measured<CapacityResult>): string {
  const { result } = measured;
  const rows = result.scenarios.map((scenario) => [
    scenario.label,
    scenario.reported.read,
    scenario.reported.write,
    scenario.billed.read,
    scenario.billed.write,
    scenario.billed.tableWrite,
    indexes(scenario.billed),
    scenario.requests.join(" + "),
  ]);
  const { target } = result;
  return [
    heading(`capacity per webhook against ${result.engine}`, measured),
    table(["webhook", "RRU", "WRU", "RRU billed", "WRU billed", "table", "indexes", "requests"], rows),
    `RRU/WRU: as DynamoDB reported them (ReturnConsumedCapacity INDEXES); "billed": the same requests by DynamoDB's documented rules.`,
    `items: lead ${result.itemBytes.lead} B, event ${result.itemBytes.event} B, transition ${result.itemBytes.transition} B; ` +
      `alert ledger per channel: ${result.alertLedgerPerChannel.reported.write} WRU reported, ${result.alertLedgerPerChannel.billed.write} billed`,
    ...(result.history
      ? [
          "",
          "no stage change, by history length (one page view each; median units, handler time in process):",
          table(
            [
              "prior events",
              "RRU",
              "WRU",
              "RRU billed",
              "WRU billed",
              "table",
              "indexes",
              "lead B",
              "p50 ms",
              "p99 ms",
              "samples",
              "stage changes",
              "replays",
            ],
            result.history.map((row) => [
              row.priorEvents,
              row.reported.read,
              row.reported.write,
              row.billed.read,
              row.billed.write,
              row.billed.tableWrite,
              indexes(row.billed),
              row.leadBytes,
              row.handlerMs.p50,
              row.handlerMs.p99,
              row.handlerMs.samples,
              row.stageChanges,
              row.replays,
            ]),
          ),
        ]
      : []),
    ...(result.worstCaseSnapshot
      ? [
          `worst-case snapshot of the default model: lead item ${result.worstCaseSnapshot.leadBytes} B at its largest ` +
            `(${result.worstCaseSnapshot.finalLeadBytes} B at the end, ${result.worstCaseSnapshot.events} events, ${result.worstCaseSnapshot.stage}): ${result.worstCaseSnapshot.note}`,
        ]
      : []),
    ...(result.burst
      ? [
          `burst: ${result.burst.concurrency} at once on a ${result.burst.priorEvents}-event lead: ` +
            `${statuses(result.burst.statuses)}; after one retry round of the 503s: ${statuses(result.burst.retryStatuses) || "none needed"}; ` +
            `events stored ${result.burst.eventsStored} of ${result.burst.eventsExpected}; ${result.burst.transactions} transactions, ` +
            `${result.burst.cancelledTransactions} cancelled; billed ${result.burst.billed.read} RRU / ${result.burst.billed.write} WRU ` +
            `(${result.burst.billed.readPerEvent} / ${result.burst.billed.writePerEvent} per event stored; DynamoDB reported ` +
            `${result.burst.reported.read} / ${result.burst.reported.write}); ${result.burst.wallMs} ms`,
        ]
      : []),
    ...(result.outOfOrder
      ? [
          `out-of-order delivery (a ${result.outOfOrder.priorEvents}-event lead, late events inside its history):`,
          table(
            [
              "late share",
              "webhooks",
              "late",
              "replays",
              "replay rate",
              "RRU billed/webhook",
              "WRU billed/webhook",
              "p50 ms",
              "p99 ms",
              "statuses",
            ],
            result.outOfOrder.rows.map((row) => [
              `${row.rate * 100}%`,
              row.webhooks,
              row.late,
              row.replays,
              row.replayRate,
              row.billedPerWebhook.read,
              row.billedPerWebhook.write,
              row.handlerMs.p50,
              row.handlerMs.p99,
              statuses(row.statuses),
            ]),
          ),
        ]
      : []),
    ...(result.targets
      ? [
          "targets:",
          ...result.targets.map(
            (entry) => `  ${entry.name}: ${entry.target} → ${entry.measured}: ${verdict(entry.met)}`,
          ),
        ]
      : [
          `target (${target.scenario}): ≤ ${target.writeTarget} WRU and ≤ ${target.readTarget} RRU → ` +
            `${target.reported.write} WRU / ${target.reported.read} RRU reported, ${target.billed.write} / ${target.billed.read} billed: ${verdict(target.met)}`,
        ]),
  ].join("\n");
}

function throughputReport(measured: Measured<ThroughputResult>): string {
  const { result } = measured;
  const rows = result.rows.map((row) => [
    row.concurrency,
    row.floor.perSecond,
    row.floor.latencyMs.p50,
    row.floor.latencyMs.p99,
    row.ripen.perSecond,
    row.ripen.latencyMs.p50,
    row.ripen.latencyMs.p99,
    row.ratio,
    row.ripen.requests,
    Object.entries({ ...row.ripen.failures, ...row.floor.failures })
      .map(([reason, count]) => `${reason}: ${count}`)
      .join(", ") || "none",
  ]);
  return [
    heading(`throughput and latency through the local server, against ${result.engine}`, measured),
    table(
      [
        "conc.",
        "floor/s",
        "floor p50 ms",
        "floor p99 ms",
        "ripen/s",
        "ripen p50 ms",
        "ripen p99 ms",
        "ratio",
        "webhooks",
        "failures",
      ],
      rows,
    ),
    `workload: ${result.workload}`,
    `ingest handler time at concurrency 1: p50 ${result.handlerMs.p50} ms, p99 ${result.handlerMs.p99} ms (${result.handlerMs.samples} webhooks); ` +
      `logs ${result.logBytesPerWebhook} B per webhook (${Object.entries(result.logs ?? {})
        .map(([name, logs]) => `${name} ${logs.bytesPerInvocation} B × ${logs.invocations}`)
        .join(", ")}); dead letters during the runs: ${result.deadLetters}`,
    `target: ripen ≥ ${result.target.ratio}× the floor's webhooks per second at every concurrency → worst ${result.target.worst}×: ${verdict(result.target.met)}`,
  ].join("\n");
}

function initReport(measured: Measured<InitResult>): string {
  const { result } = measured;
  const rows = [result.bare, ...result.functions].map((figure) => [
    figure.name,
    Math.round(figure.bytes / 1024),
    Math.round(figure.gzipBytes / 1024),
    figure.importMs.median,
    figure.importMs.min,
    figure.importMs.max,
    figure.ratio,
    figure.largest
      .slice(0, 3)
      .map((input) => `${input.input} ${Math.round(input.bytes / 1024)}K`)
      .join(", "),
  ]);
  return [
    heading(`bundle size and import time (median of ${result.runs} fresh processes)`, measured),
    table(["bundle", "KB", "gzip KB", "import ms", "min", "max", "× bare", "largest inputs"], rows),
    `bundling: ${result.bundling}`,
    `target: ${result.target.function} imports in ≤ ${result.target.ratio}× the bare bundle's time → ${result.target.actual}×: ${verdict(result.target.met)}`,
    ...(result.everyFunction
      ? [
          `target: every function ≤ ${result.everyFunction.ratio}× → worst ${result.everyFunction.worst.name} ${result.everyFunction.worst.ratio}×: ${verdict(result.everyFunction.met)}`,
        ]
      : []),
    ...(result.size
      ? [
          `target: ${result.size.function} ≤ ${result.size.kib} KB minified → ${result.size.actual} KB: ${verdict(result.size.met)}`,
        ]
      : []),
    ...(result.tracer
      ? [
          `ripen:tracing (Powertools tracer, X-Ray SDK) adds ${result.tracer.kib} KB and ${result.tracer.importMs} ms to ingest's import`,
        ]
      : []),
  ].join("\n");
}

function coldStartReport(measured: Measured<ColdStartResult>): string {
  const { result } = measured;
  const rows = [result.bare, result.ingest].map((figure) => [
    figure.name,
    figure.nodeMs,
    figure.importedMs,
    figure.firstRequestMs,
    figure.answeredMs,
    figure.answeredRange.min,
    figure.answeredRange.max,
  ]);
  return [
    heading(`cold start: process start → first answer (median of ${result.runs} fresh processes)`, measured),
    table(["process", "node ready ms", "imported ms", "first request ms", "answered ms", "min", "max"], rows),
    `first request: ${result.request}; ${result.engine}`,
    `ingest answers its first webhook in ${result.ratio}× the bare client's time to its first GetItem`,
  ].join("\n");
}

function rescoreReport(measured: Measured<RescoreResult>): string {
  const { result } = measured;
  const { rescore, floor, atBudget } = result;
  return [
    heading(
      `rescore of ${result.leads.toLocaleString("en-US")} leads of ${result.eventsPerLead} events through the local run workers`,
      measured,
    ),
    table(
      ["what", "seconds", "leads/s"],
      [
        [
          `rescore ${result.model.from} → ${result.model.to}: ${result.workers} workers × ${result.concurrency} leads, unpaced`,
          rescore.seconds,
          rescore.leadsPerSecond,
        ],
        [
          `floor: Query + TransactWriteItems per lead, ${result.workers * result.concurrency} at once`,
          floor.seconds.join(" / "),
          floor.leadsPerSecond,
        ],
      ],
    ),
    `${rescore.rescored} rescored (${rescore.replayed} replayed from their events), ${rescore.moved} moved (${rescore.moves}), ${rescore.parts} parts; ${rescore.writeUnits} WRU, ${rescore.readUnits} RRU`,
    `at --max-wru ${atBudget.maxWru} (the default): ${atBudget.writeUnitsPerLead} WRU per lead → at most ${atBudget.leadsPerSecond} leads/s`,
    ...pacedLines(result.paced),
    `target: ≥ ${result.target.ratio}× the floor → ${result.ratio}×: ${verdict(result.target.met)}`,
    ...(result.calibration
      ? [
          `  (the rescore reads each lead's events with its Scan pages, not by a Query: against the writes alone, ` +
            `the calibration's floor below, ${round(rescore.leadsPerSecond / result.calibration.floor.leadsPerSecond, 2)}×)`,
        ]
      : []),
    ...calibrationLines(result.calibration),
    ...(result.preview
      ? [
          `preview of the candidate over the same leads: ${result.preview.leadsPerSecond} leads/s in ${result.preview.seconds} s, ` +
            `${result.preview.examined} examined, ${result.preview.changes} would move; ${result.preview.readUnits} RRU, no write (no target)`,
        ]
      : []),
  ].join("\n");
}

/** The rescore again at the default budget: what the pace let through, no target. */
function pacedLines(paced: RescoreResult["paced"]): string[] {
  if (!paced) return [];
  return [
    `  paced to --max-wru ${paced.maxWru}: ${paced.leadsPerSecond} leads/s in ${paced.seconds} s (${paced.rescored} rescored); ` +
      `${paced.writeUnits} WRU reported for every write of the run, ${paced.writeUnitsPerSecond} a second on average, ` +
      `${paced.busiestSecond} in its busiest second`,
  ];
}

/** The calibration's rescore (from the snapshots) beside its floor: no target. */
function calibrationLines(calibration: RescoreResult["calibration"]): string[] {
  if (!calibration) return [];
  const { floor } = calibration;
  return [
    `calibration ${calibration.model.from} → ${calibration.model.to} (mql threshold only, the same fold): ` +
      `${calibration.leadsPerSecond} leads/s in ${calibration.seconds} s, ${calibration.rescored} rescored ` +
      `(${calibration.replayed} replayed), ${calibration.moved} moved; ${calibration.writeUnits} WRU, ${calibration.readUnits} RRU`,
    `  floor: TransactWriteItems per lead, no Query: ${floor.leadsPerSecond} leads/s (${floor.seconds.join(" / ")} s) → ${calibration.ratio}× (no target)`,
  ];
}

function scoringReport(measured: Measured<ScoringResult>): string {
  const { result } = measured;
  const events = result.leads * result.eventsPerLead;
  const target = `≥ ${result.targetEventsPerSecond.toLocaleString("en-US")}`;
  const row = (what: string, path: Omit<ScoringResult["replay"], "met"> & { met?: boolean }) => [
    what,
    path.eventsPerSecond,
    path.met === undefined ? "none" : target,
    path.met === undefined ? "" : verdict(path.met),
    path.bestEventsPerSecond,
    path.cpuEventsPerSecond,
  ];
  const rows = [row("from the whole history (replay)", result.replay)];
  if (result.replayJustDecoded) rows.push(row("replay, each page decoded just before", result.replayJustDecoded));
  rows.push(row("one event at a time (ingest)", result.ingest));
  return [
    heading(
      `scoring: model ${result.model}, ${result.processes === undefined ? "one process" : "a process per path"} running the bundled code with the functions' NODE_OPTIONS`,
      measured,
    ),
    table(["foldLead", "events/s (median round)", "target", "", "best round", "per CPU second"], rows),
    `${result.leads.toLocaleString("en-US")} leads of ${result.eventsPerLead} events (${events.toLocaleString("en-US")} events), ${result.rounds} timed rounds per path; target ≥ ${result.targetEventsPerSecond.toLocaleString("en-US")} events/s`,
    result.processes === undefined
      ? "the three paths ran in one process, taking turns round by round"
      : `each path in a process of its own (its garbage and the engine's type feedback its own): ${result.processes}`,
    "replay: an event is one event of a history folded into the lead's snapshot (one evaluation per lead); the histories are decoded before the rounds from a Query response's JSON text (items in key order)",
    "replay, each page decoded just before: the same folds, each page of 25 leads decoded (untimed) just before them, as production meets its events: new objects and strings among the decode's garbage, the strings not yet hashed",
    "ingest: an event is one foldLead: folded into a copy of the snapshot, the lead evaluated, its stage decided: a whole evaluation per event, where a replay makes one per lead. No target: the target is the replay's, as the first figures (foldLead 171k, engine.evaluate 279k events/s) folded and evaluated whole histories of 10 events",
    `bundled as a function is: ${result.bundling ?? "no (run through tsx, before the benchmark bundled its code)"}`,
    "per CPU second: the path's process's CPU time (its garbage collector's threads included), which a busy machine inflates less than wall time (but not at all: it shares caches and cores)",
    `load average (1, 5, 15 min): ${result.loadAverage.before.join(" ")} before the timed rounds, ${result.loadAverage.after.join(" ")} after`,
  ].join("\n");
}

function costReport(measured: Measured<CostResult>): string {
  const { result } = measured;
  const rows = result.lines.map((line) => [line.item, line.quantity, line.unit, line.dollars]);
  return [
    heading(`cost per million webhooks (${result.prices.region} list prices as of ${result.prices.asOf})`, measured),
    table(["item", "per million", "unit", "USD"], rows),
    `per webhook: ${result.perWebhook.writeUnits} WRU, ${result.perWebhook.readUnits} RRU, ingest billed ${result.perWebhook.ingestBilledMs} ms, ${result.perWebhook.logBytes} B of logs`,
    `mix: ${Object.entries(result.mix)
      .map(([id, share]) => `${id} ${Math.round(share * 100)}%`)
      .join(", ")}`,
    ...result.assumptions.map((assumption) => `assumes ${assumption}`),
    `prices: ${result.prices.basis}`,
    `total: $${result.totalPerMillion.toFixed(2)} per million webhooks; target ≤ $${result.target.dollars}: ${verdict(result.target.met)}`,
    ...(result.target.withoutSes
      ? [
          `without the SES line: $${result.target.withoutSes.actual.toFixed(2)}; target ≤ $${result.target.withoutSes.dollars}: ${verdict(result.target.withoutSes.met)}`,
        ]
      : []),
  ].join("\n");
}

/** The figures of this run (and, for cost, those it was computed from), as text tables. */
export function report(results: BenchResults, ran: readonly string[]): string {
  const parts: string[] = [];
  const first = ran.map((name) => results[name as keyof BenchResults]).find(Boolean);
  if (first) parts.push(`machine: ${machineLine(first.machine)}`);
  if (ran.includes("capacity") && results.capacity) parts.push(capacityReport(results.capacity));
  if (ran.includes("throughput") && results.throughput) parts.push(throughputReport(results.throughput));
  if (ran.includes("sequential") && results.sequential) parts.push(sequentialReport(results.sequential));
  if (ran.includes("rescore") && results.rescore) parts.push(rescoreReport(results.rescore));
  if (ran.includes("calibration") && results.calibration) {
    parts.push(calibrationReport(results.calibration.result, results.calibration.measuredAt));
  }
  if (ran.includes("init") && results.init) parts.push(initReport(results.init));
  if (ran.includes("coldstart") && results.coldstart) parts.push(coldStartReport(results.coldstart));
  if (ran.includes("scoring") && results.scoring) parts.push(scoringReport(results.scoring));
  if (ran.includes("cost") && results.cost) parts.push(costReport(results.cost));
  return `${parts.join("\n")}\n`;
}

function sequentialReport(measured: Measured<SequentialResult>): string {
  const { result } = measured;
  const statuses = Object.entries(result.statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(", ");
  return [
    `== ${result.events.toLocaleString("en-US")} sequential webhooks on one lead over HTTP (${measured.measuredAt}; load average ${measured.loadAverage.join(" ")})`,
    `answers: ${statuses}; the lead counts ${result.leadEventCount} events`,
    `first 500: p50 ${result.first.p50} ms, p99 ${result.first.p99} ms; last 500: p50 ${result.last.p50} ms, p99 ${result.last.p99} ms`,
    `target: p99 of the last 500 ≤ ${result.target.ratio}× the first 500's, all 200 → ${result.ratio}×: ${result.target.met ? "met" : "MISSED"}`,
    "",
  ].join("\n");
}
