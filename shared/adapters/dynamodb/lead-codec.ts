import type { Lead } from "#shared/domain/lead";
import { emailDomain } from "#shared/domain/lead";
import type { Scalar } from "#shared/domain/lead-event";
import type {
  EngagementSnapshot,
  LeadSnapshot,
  RuleSnapshot,
  ValueMark,
  WatcherSnapshot,
} from "#shared/domain/snapshot";

/**
 * The lead as its item's packed body carries it. Capacity is billed per KB, so what can be derived is
 * left out (the lead id is in the key, the domain in the email, the attributes in the snapshot's
 * marks), and the snapshot is written positionally, with times as milliseconds before its latest event
 * (small numbers) and untouched rules and counters as a 0.
 */
export type LeadBody = Record<string, unknown>;

const FORMAT = 1;

export function encodeLead(lead: Omit<Lead, "version">): LeadBody {
  const { snapshot, leadId: _leadId, domain, ...rest } = lead;
  const body: LeadBody = { ...rest };
  if (domain !== emailDomain(lead.email)) body.domain = domain;
  if (!snapshot) return body;
  delete body.attributes;
  body.s = encodeSnapshot(snapshot, lead.attributes);
  return body;
}

export function decodeLead(body: LeadBody, leadId: string, version: number): Lead {
  const { s, ...rest } = body;
  const lead = { ...rest, leadId, version } as Lead;
  lead.domain ??= emailDomain(lead.email);
  if (s !== undefined) {
    lead.snapshot = decodeSnapshot(s as Packed);
    lead.attributes = lead.snapshot.attributes;
  }
  return lead;
}

type Packed = unknown[];

/**
 * What a model's snapshot may weigh at most, packed, attributes aside: with the lead's 32 KB of
 * attributes, the lead item stays far below DynamoDB's 400 KB item limit, whatever the history.
 */
export const SNAPSHOT_BUDGET_BYTES = 64 * 1024;

/**
 * An upper bound of a snapshot's packed size (attributes aside): its encoded text, plus what deflate
 * adds at worst (5 bytes per stored block), so it holds however little the times compress.
 */
export function snapshotBytes(snapshot: LeadSnapshot): number {
  const text = Buffer.byteLength(JSON.stringify(encodeSnapshot(snapshot, {})));
  return text + 5 * Math.ceil(text / 65_535) + 1;
}

function encodeSnapshot(snapshot: LeadSnapshot, attributes: Record<string, Scalar>): Packed {
  const last = Number.isFinite(snapshot.lastEventMs) ? snapshot.lastEventMs : 0;
  const rel = (at: number) => last - at;
  const marks = Object.entries(snapshot.marks).map(([attribute, mark]) => [
    attribute,
    attributes[attribute] ?? snapshot.attributes[attribute] ?? null,
    rel(mark.at),
    mark.by,
  ]);
  const valueMark = (mark: ValueMark | undefined) => (mark ? [mark.value, rel(mark.at), mark.by] : 0);
  const scope = (state: EngagementSnapshot | undefined): unknown =>
    state
      ? [
          state.events,
          state.rules.map((rule) =>
            rule === undefined || (rule.matched === 0 && rule.scored === 0)
              ? 0
              : [
                  rule.matched,
                  rule.scored,
                  rule.times?.map(rel) ?? 0,
                  rule.sum ?? 0,
                  rule.at === undefined ? null : rel(rule.at),
                ],
          ),
          state.watchers.map((watcher) =>
            watcher === undefined || watcher.count === 0 ? 0 : [watcher.count, watcher.times?.map(rel) ?? 0],
          ),
        ]
      : 0;
  return [
    FORMAT,
    snapshot.model,
    snapshot.events,
    Number.isFinite(snapshot.lastEventMs) ? snapshot.lastEventMs : null,
    marks,
    valueMark(snapshot.name),
    valueMark(snapshot.company),
    valueMark(snapshot.firstSource),
    valueMark(snapshot.firstCampaign),
    scope(snapshot.all),
    scope(snapshot.since),
    // Last, so a snapshot written before the fold hash was kept decodes without one.
    snapshot.fold ?? 0,
  ];
}

function decodeSnapshot(packed: Packed): LeadSnapshot {
  const [format, model, events, lastEventMs, marks, name, company, firstSource, firstCampaign, all, since, fold] =
    packed;
  if (format !== FORMAT) throw new Error(`unknown snapshot format ${String(format)}`);
  const last = typeof lastEventMs === "number" ? lastEventMs : 0;
  const at = (offset: unknown) => last - (offset as number);
  const valueMark = (value: unknown): ValueMark | undefined => {
    if (!Array.isArray(value)) return undefined;
    const [text, offset, by] = value as [string, number, string];
    return { value: text, at: at(offset), by };
  };
  const scope = (value: unknown): EngagementSnapshot | undefined => {
    if (!Array.isArray(value)) return undefined;
    const [count, rules, watchers] = value as [number, unknown[], unknown[]];
    return {
      events: count,
      // An untouched state is written 0 (1 in older items: one that keeps times): it stays undefined.
      rules: rules.map((rule): RuleSnapshot | undefined => {
        if (!Array.isArray(rule)) return undefined;
        const [matched, scored, times, sum, ref] = rule as [number, number, number[] | 0, number, number | null];
        const state: RuleSnapshot = { matched, scored };
        if (times !== 0) state.times = times.map(at);
        if (ref !== null) {
          state.sum = sum;
          state.at = at(ref);
        }
        return state;
      }),
      watchers: watchers.map((watcher): WatcherSnapshot | undefined => {
        if (!Array.isArray(watcher)) return undefined;
        const [count, times] = watcher as [number, number[] | 0];
        return times === 0 ? { count } : { count, times: times.map(at) };
      }),
    };
  };
  const snapshot: LeadSnapshot = {
    model: model as string,
    // In the engine's order (model, fold, events…): decoded and folded snapshots share their shape.
    fold: typeof fold === "string" ? fold : undefined,
    events: events as number,
    lastEventMs: typeof lastEventMs === "number" ? lastEventMs : Number.NEGATIVE_INFINITY,
    attributes: {},
    marks: {},
    all: scope(all) as EngagementSnapshot,
  };
  for (const [attribute, value, offset, by] of marks as [string, Scalar, number, string][]) {
    snapshot.attributes[attribute] = value;
    snapshot.marks[attribute] = { at: at(offset), by };
  }
  const marked = { name, company, firstSource, firstCampaign };
  for (const [key, value] of Object.entries(marked)) {
    const mark = valueMark(value);
    if (mark) snapshot[key as "name"] = mark;
  }
  const sinceScope = scope(since);
  if (sinceScope) snapshot.since = sinceScope;
  return snapshot;
}
