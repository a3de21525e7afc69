import { describe, expect, it } from "vitest";
import { SLA_BREACH_STREAM_FILTER } from "#shared/adapters/dynamodb/entities/sla-breach";
import { SQL_READY_STREAM_FILTER } from "#shared/adapters/dynamodb/entities/sql-ready";
import {
  EVERY_TRANSITION_STREAM_FILTER,
  TRANSITION_STREAM_FILTERS,
} from "#shared/adapters/dynamodb/entities/transition";
import { DETAIL_TYPE_PATH, STREAM_PUBLICATIONS } from "#shared/adapters/dynamodb/stream-publications";
import { LEAD_SLA_BREACHED } from "#shared/bus/lead-sla-breached";
import { LEAD_SQL_READY } from "#shared/bus/lead-sql-ready";
import { LEAD_STAGE_CHANGED } from "#shared/bus/lead-stage-changed";
import { ScoringModel } from "#shared/domain/model/schema";
import { loadModel } from "#shared/runtime/scoring-model";
import { pipeConstructId, STREAM_READING } from "../../infra/pipe";
import { arnOf, resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

const { stateless } = synthRipen();

/** The Pipe a publication deploys, and its source parameters. */
function pipeOf(name: string) {
  const [, pipe] = resourceAt(stateless, "AWS::Pipes::Pipe", `/${pipeConstructId({ name })}/Pipe`);
  const source = pipe.Properties.SourceParameters as {
    FilterCriteria: { Filters: { Pattern: string }[] };
    DynamoDBStreamParameters: Record<string, unknown>;
  };
  return { pipe, source };
}

describe("the stream pipes", () => {
  it("are one per stream publication, and no more than the two readers a DynamoDB stream shard allows", () => {
    // Assess
    expect(STREAM_PUBLICATIONS.map((publication) => publication.name)).toEqual(["transition", "sla-breach"]);
    expect(Object.keys(resourcesOfType(stateless, "AWS::Pipes::Pipe"))).toHaveLength(STREAM_PUBLICATIONS.length);
    expect(STREAM_PUBLICATIONS.length).toBeLessThanOrEqual(2);
  });

  it("keep the transition Pipe's construct path, so a deployed stack updates it instead of replacing it", () => {
    expect(pipeConstructId({ name: "transition" })).toBe("TransitionPipe");
    expect(pipeConstructId({ name: "sla-breach" })).toBe("SlaBreachPipe");
    expect(STREAM_PUBLICATIONS[0].filters).toEqual(TRANSITION_STREAM_FILTERS);
  });

  it("share the SLA breaches' Pipe with the waits for review, which puts the detail-type each detail carries", () => {
    // Prepare
    const transitions = pipeOf("transition").pipe.Properties.TargetParameters;
    const { pipe, source } = pipeOf("sla-breach");
    const patterns = source.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern));

    // Assess
    expect(patterns).toEqual([SLA_BREACH_STREAM_FILTER, SQL_READY_STREAM_FILTER]);
    expect(pipe.Properties.TargetParameters).toEqual({
      EventBridgeEventBusParameters: { Source: "ripen", DetailType: DETAIL_TYPE_PATH },
    });
    expect(STREAM_PUBLICATIONS[1].detailTypes).toEqual([LEAD_SLA_BREACHED.detailType, LEAD_SQL_READY.detailType]);
    expect(transitions).toEqual({
      EventBridgeEventBusParameters: { Source: "ripen", DetailType: LEAD_STAGE_CHANGED.detailType },
    });
  });
});

describe.each(STREAM_PUBLICATIONS)("the $name pipe", (publication) => {
  const { pipe, source } = pipeOf(publication.name);
  const path = `/${pipeConstructId(publication)}`;

  it("reads the table's stream through its publication's filters only", () => {
    // Prepare
    const patterns = source.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern));

    // Assess
    expect(patterns).toEqual(publication.filters);
    expect(patterns.length).toBeLessThanOrEqual(5);
    expect(JSON.stringify(pipe.Properties.Source)).toMatch(/StreamArn/);
  });

  it("reads in small batches with bounded retries and record age, bisects a failing batch, keeps what fails", () => {
    // Prepare
    const [queueId] = resourceAt(stateless, "AWS::SQS::Queue", `${path}/DeadLetters/Resource`);

    // Assess
    expect(source.DynamoDBStreamParameters).toEqual({
      BatchSize: STREAM_READING.batchSize,
      MaximumRetryAttempts: STREAM_READING.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: STREAM_READING.maximumRecordAgeInSeconds,
      OnPartialBatchItemFailure: "AUTOMATIC_BISECT",
      StartingPosition: STREAM_READING.startingPosition,
      DeadLetterConfig: { Arn: arnOf(queueId) },
    });
  });

  it(`enriches with the publish function and puts ${publication.detailType} events on the bus`, () => {
    // Prepare
    const [publishId] = resourceAt(stateless, "AWS::Lambda::Function", "/publish/Handler/Resource");

    // Assess
    expect(pipe.Properties.Enrichment).toEqual(arnOf(publishId));
    expect(JSON.stringify(pipe.Properties.Target)).toMatch(/Bus/);
    expect(pipe.Properties.TargetParameters).toEqual({
      EventBridgeEventBusParameters: { Source: publication.source, DetailType: publication.detailType },
    });
  });

  it("logs errors without execution data (payloads carry names and emails)", () => {
    expect(pipe.Properties.LogConfiguration).toMatchObject({ Level: "ERROR" });
    expect(pipe.Properties.LogConfiguration).not.toHaveProperty("IncludeExecutionData");
  });

  it("is created after its role's policy, so it can validate its source and targets", () => {
    // Prepare
    const [policyId] = resourceAt(stateless, "AWS::IAM::Policy", `${path}/Role/DefaultPolicy/Resource`);

    // Assess
    expect(pipe.DependsOn).toContain(policyId);
  });
});

/** The transition Pipe's filter patterns in a template. */
function transitionFilters(template: typeof stateless) {
  const [, pipe] = resourceAt(template, "AWS::Pipes::Pipe", "/TransitionPipe/Pipe");
  const source = pipe.Properties.SourceParameters as { FilterCriteria: { Filters: { Pattern: string }[] } };
  return source.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern));
}

describe("ripen:publishNewLeads", () => {
  it("puts every transition on the bus, a lead's creation included, when set", () => {
    // Prepare
    const { stateless: withNewLeads } = synthRipen({ context: { "ripen:publishNewLeads": true } });

    // Assess
    expect(transitionFilters(withNewLeads)).toEqual([EVERY_TRANSITION_STREAM_FILTER]);
  });

  it("is not needed when the model alerts on new leads: their creation is published anyway", () => {
    // Prepare
    const model = loadModel();
    const alertsNewLeads = { ...model, notifications: [{ id: "new", to: ["lead"], channels: ["email"] }] };

    // Act
    const { stateless: withModel } = synthRipen({ model: ScoringModel.parse(alertsNewLeads) });

    // Assess
    expect(transitionFilters(stateless)).toEqual(TRANSITION_STREAM_FILTERS);
    expect(transitionFilters(withModel)).toEqual([EVERY_TRANSITION_STREAM_FILTER]);
  });
});
