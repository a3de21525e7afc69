import type { AttributeValue, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { sqlReadyItem } from "#shared/adapters/dynamodb/entities/sql-ready";
import { MOVED_ATTRIBUTE, type StreamRecord } from "#shared/adapters/dynamodb/entities/stream";
import { transitionItem } from "#shared/adapters/dynamodb/entities/transition";
import { dynamoSlaBreachLog } from "#shared/adapters/dynamodb/sla-breaches";
import {
  detailTypeOf,
  STREAM_PUBLICATIONS,
  type StreamPublication,
  streamPublications,
} from "#shared/adapters/dynamodb/stream-publications";
import { breachId } from "#shared/application/maintenance";
import { LEAD_SLA_BREACHED, LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { LEAD_SQL_READY, LeadSqlReadyDetail } from "#shared/bus/lead-sql-ready";
import { LEAD_STAGE_CHANGED, LeadStageChangedDetail, stageChangedDetail } from "#shared/bus/lead-stage-changed";
import { RULES } from "#shared/bus/rules";
import type { SqlReadyRequest, Transition } from "#shared/domain/lead";
import { sqlReadyId } from "#shared/domain/lead-fold";
import { matchesPattern } from "#shared/local/event-pattern";
import { lambdaContext } from "#shared/local/lambda-context";
import { handler } from "../../functions/publish";

const LEAD = { email: "ada@example.com", name: "Ada Lovelace", company: "Analytical Engines", domain: "example.com" };
const OWNER = { id: "rep-grace", name: "Grace Hopper", email: "grace@ripen.test", slackUserId: "U0GRACE" };

const transition: Transition = {
  transitionId: "tr_0123456789abcdef01234567",
  leadId: "ld_0123456789abcdef01234567",
  from: "mql",
  to: "sql",
  at: "2026-11-20T10:00:00.000Z",
  reason: "score >= 70",
  actor: { type: "rule", id: "sql.threshold" },
  modelVersion: "test-1",
  score: 82,
  reasons: [{ ruleId: "demo", axis: "engagement", hits: 1, label: "Demo", points: 50, decayedPoints: 50 }],
  bant: { budget: { value: "50k", satisfied: true, eventId: "e1" } },
  owner: OWNER,
  lead: LEAD,
  eventId: "typeform:resp-1",
};

const breach: LeadSlaBreachedDetail = {
  metadata: {
    version: "1",
    breachId: breachId("ld_0123456789abcdef01234567", "sla.sql", "2026-11-19T04:00:00.000Z"),
    occurredAt: "2026-11-20T10:00:00.000Z",
    modelVersion: "test-1",
  },
  data: {
    lead: { leadId: "ld_0123456789abcdef01234567", ...LEAD },
    stage: "sql",
    stageEnteredAt: "2026-11-19T04:00:00.000Z",
    transitionId: "tr_0123456789abcdef01234567",
    ruleId: "sla.sql",
    label: "An sql is accepted within 24 hours",
    dueAt: "2026-11-20T04:00:00.000Z",
    hoursOverdue: 6,
    score: 82,
    reasons: [],
    bant: {},
    owner: OWNER,
    notify: ["slack", "email"],
  },
};

const request: SqlReadyRequest = {
  requestId: sqlReadyId("ld_0123456789abcdef01234567", "2026-11-20T09:00:00.000Z"),
  leadId: "ld_0123456789abcdef01234567",
  since: "2026-11-20T09:00:00.000Z",
  stage: "mql",
  ruleId: "sql.demo",
  reason: "Demo completed",
  modelVersion: "test-1",
  score: 82,
  reasons: transition.reasons,
  bant: transition.bant,
  owner: OWNER,
  lead: LEAD,
  eventId: "typeform:resp-1",
};

/** The item the maintenance sweep writes for a breach, taken from the adapter's own PutItem. */
async function breachItem(detail: LeadSlaBreachedDetail) {
  let item: PutItemCommand["input"]["Item"];
  const client = {
    send: async (command: PutItemCommand) => {
      item = command.input.Item;
      return {};
    },
  } as unknown as DynamoDBClient;
  await dynamoSlaBreachLog({ client, tableName: "ripen" }).record(detail);
  if (!item) throw new Error("the breach log wrote nothing");
  return item;
}

const inserted = (image: Record<string, AttributeValue>) =>
  ({ eventID: "1", eventName: "INSERT", dynamodb: { NewImage: image } }) satisfies StreamRecord;

const publish = (records: StreamRecord[]) =>
  handler(records, lambdaContext({ functionName: "publish", region: "us-east-1", memoryMb: 256 }));

describe("publish: the stream Pipes' enrichment", () => {
  it("maps a transition record to its Lead Stage Changed detail", async () => {
    // Act
    const details = await publish([inserted(transitionItem(transition))]);

    // Assess
    expect(details).toEqual([stageChangedDetail(transition, ["slack", "email"])]);
    expect(LeadStageChangedDetail.parse(details[0])).toEqual(details[0]);
  });

  it.each([
    ["sql", ["slack", "email"]],
    ["mql", ["marketing"]],
    ["sal", []],
  ] as const)("stamps a move to %s with the channels the model's rules send it to: %j", async (to, channels) => {
    // Act
    const [detail] = await publish([inserted(transitionItem({ ...transition, to }))]);

    // Assess
    expect(detail).toMatchObject({ metadata: { version: LEAD_STAGE_CHANGED.version }, channels });
  });

  it("publishes a rescore's quiet move with no channel, so no notifier's rule matches it", async () => {
    // Prepare
    const quiet = { ...transition, actor: { type: "model" as const, id: "v2" }, quiet: true };
    const rules = Object.values(RULES).map((rule) => rule.pattern);

    // Act
    const [detail] = await publish([inserted(transitionItem(quiet))]);
    const event = { source: LEAD_STAGE_CHANGED.source, "detail-type": LEAD_STAGE_CHANGED.detailType, detail };

    // Assess
    expect(detail).toMatchObject({ channels: [], data: { to: "sql", actor: { type: "model", id: "v2" } } });
    expect(rules.filter((pattern) => matchesPattern(pattern, event))).toEqual([]);
  });

  it("maps an SLA breach record, as the sweep writes it, to its Lead SLA Breached detail", async () => {
    // Act
    const details = await publish([inserted(await breachItem(breach))]);

    // Assess: stamped with its detail-type, which its Pipe (shared with the waits for review) reads.
    expect(details).toEqual([{ detailType: LEAD_SLA_BREACHED.detailType, ...breach }]);
    expect(LeadSlaBreachedDetail.parse(details[0])).toEqual(breach);
    expect(detailTypeOf(STREAM_PUBLICATIONS[1], details[0])).toBe(LEAD_SLA_BREACHED.detailType);
  });

  it("maps a wait for review to its Lead SQL Ready detail, for the owner channels the model sends sql to", async () => {
    // Act
    const details = await publish([inserted(sqlReadyItem(request))]);

    // Assess: the test model sends sql to slack and email (both the owner's).
    expect(details).toEqual([
      {
        detailType: LEAD_SQL_READY.detailType,
        metadata: {
          version: LEAD_SQL_READY.version,
          requestId: request.requestId,
          occurredAt: request.since,
          modelVersion: "test-1",
        },
        channels: ["slack", "email"],
        data: {
          lead: { leadId: request.leadId, ...LEAD },
          stage: "mql",
          ruleId: "sql.demo",
          reason: "Demo completed",
          score: 82,
          reasons: request.reasons,
          bant: request.bant,
          owner: OWNER,
          eventId: "typeform:resp-1",
        },
      },
    ]);
    expect(LeadSqlReadyDetail.parse(details[0]).metadata.requestId).toMatch(/^sr_[0-9a-f]{24}$/);
    expect(detailTypeOf(STREAM_PUBLICATIONS[1], details[0])).toBe(LEAD_SQL_READY.detailType);
  });

  it("maps a mixed batch record by record, in order, and drops records of no published kind", async () => {
    // Prepare
    const records = [
      inserted(await breachItem(breach)),
      inserted(marshall({ pk: "LEAD#x", sk: "LEAD", entity: "lead" })),
      inserted(transitionItem(transition)),
      { eventName: "MODIFY", dynamodb: { NewImage: transitionItem(transition) } },
    ];

    // Act
    const details = await publish(records);

    // Assess
    expect(details).toEqual([
      { detailType: LEAD_SLA_BREACHED.detailType, ...breach },
      stageChangedDetail(transition, ["slack", "email"]),
    ]);
  });

  it("drops a breach record whose detail is not a valid Lead SLA Breached detail", async () => {
    const details = await publish([
      inserted(marshall({ pk: "LEAD#x", sk: "SLA#x", entity: "sla-breach", detail: {} })),
    ]);

    expect(details).toEqual([]);
  });
});

/** True when the record passes one of the publication's filters, as its Pipe lets it through. */
const passes = (publication: StreamPublication, record: unknown) =>
  publication.filters.some((filter) => matchesPattern(filter, record));

describe("the stream publications", () => {
  it.each([
    ["transition", LEAD_STAGE_CHANGED.detailType],
    ["sla-breach", LEAD_SLA_BREACHED.detailType],
    ["sql-ready", LEAD_SQL_READY.detailType],
  ])("let each new %s item through exactly one Pipe, one publishing %s", async (entity, detailType) => {
    // Prepare
    const image =
      entity === "transition"
        ? transitionItem(transition)
        : entity === "sla-breach"
          ? await breachItem(breach)
          : sqlReadyItem(request);
    const record = { ...inserted(image), eventSource: "aws:dynamodb" };

    // Act
    const matching = STREAM_PUBLICATIONS.filter((publication) => passes(publication, record));

    // Assess
    expect(matching).toHaveLength(1);
    expect(matching[0]?.detailTypes).toContain(detailType);
    expect(matching[0]?.source).toBe("ripen");
  });

  it("let no quiet wait for review through (an import's, a quiet rescore's): it alerts no one", () => {
    const record = { ...inserted(sqlReadyItem({ ...request, quiet: true })), eventSource: "aws:dynamodb" };

    expect(STREAM_PUBLICATIONS.filter((publication) => passes(publication, record))).toEqual([]);
  });

  it.each([
    { name: "a lead's creation into lead", from: null, to: "lead", published: false },
    { name: "a creation straight to mql", from: null, to: "mql", published: true },
    { name: "a move from lead to mql", from: "lead", to: "mql", published: true },
    { name: "a reopened lead back into lead", from: "disqualified", to: "lead", published: true },
  ] as const)("publish $name: $published, and with publishNewLeads always", ({ from, to, published }) => {
    // Prepare
    const record = { ...inserted(transitionItem({ ...transition, from, to })), eventSource: "aws:dynamodb" };
    const [byDefault] = STREAM_PUBLICATIONS;
    const [withNewLeads] = streamPublications({ publishNewLeads: true });

    // Act
    const passed = [passes(byDefault, record), passes(withNewLeads, record)];

    // Assess
    expect(passed).toEqual([published, true]);
  });

  it("let no copy a migration made through: it was published when first written", async () => {
    for (const publications of [STREAM_PUBLICATIONS, streamPublications({ publishNewLeads: true })]) {
      for (const image of [transitionItem(transition), await breachItem(breach), sqlReadyItem(request)]) {
        const record = { ...inserted({ ...image, [MOVED_ATTRIBUTE]: { S: "lead-ids" } }), eventSource: "aws:dynamodb" };
        expect(publications.filter((publication) => passes(publication, record))).toEqual([]);
      }
    }
  });

  it.each([
    { name: "a lead's creation into lead", from: null, published: true },
    { name: "a reopened lead back into lead", from: "disqualified", published: true },
  ] as const)("publish $name when the model's rules alert on new leads", ({ from, published }) => {
    // Prepare
    const record = { ...inserted(transitionItem({ ...transition, from, to: "lead" })), eventSource: "aws:dynamodb" };
    const [alertingNewLeads] = streamPublications({
      notifications: [{ id: "new-lead", to: ["lead"], channels: ["slack"] }],
    });
    const [alertingReopenedOnly] = streamPublications({
      notifications: [{ id: "reopened", to: ["lead"], from: ["disqualified"], channels: ["slack"] }],
    });

    // Act
    const passed = [passes(alertingNewLeads, record), passes(alertingReopenedOnly, record)];

    // Assess
    expect(passed).toEqual([published, from !== null]);
  });

  it("let no update or removal through", async () => {
    const image = await breachItem(breach);
    for (const eventName of ["MODIFY", "REMOVE"]) {
      for (const publications of [STREAM_PUBLICATIONS, streamPublications({ publishNewLeads: true })]) {
        for (const item of [image, transitionItem(transition), sqlReadyItem(request)]) {
          const record = { eventName, dynamodb: { NewImage: item } };
          expect(publications.filter((publication) => passes(publication, record))).toEqual([]);
        }
      }
    }
  });
});
