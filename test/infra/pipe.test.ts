import { describe, expect, it } from "vitest";
import { STREAM_READING } from "../../infra/pipe";
import { LEAD_STAGE_CHANGED, TRANSITION_STREAM_FILTER } from "../../shared/application/lead-stage-changed";
import { arnOf, resourceAt, synthRipen } from "./ripen-app";

const { stateless } = synthRipen();
const [, pipe] = resourceAt(stateless, "AWS::Pipes::Pipe", "/TransitionPipe/Pipe");
const source = pipe.Properties.SourceParameters as {
  FilterCriteria: { Filters: { Pattern: string }[] };
  DynamoDBStreamParameters: Record<string, unknown>;
};

describe("the transition pipe", () => {
  it("reads the table's stream through TRANSITION_STREAM_FILTER only", () => {
    // Prepare
    const [filter, ...others] = source.FilterCriteria.Filters;

    // Assess
    expect(others).toEqual([]);
    expect(JSON.parse(filter?.Pattern ?? "null")).toEqual(TRANSITION_STREAM_FILTER);
    expect(JSON.stringify(pipe.Properties.Source)).toMatch(/StreamArn/);
  });

  it("reads in small batches with bounded retries and record age, bisects a failing batch, keeps what fails", () => {
    // Prepare
    const [queueId] = resourceAt(stateless, "AWS::SQS::Queue", "/TransitionPipe/DeadLetters/Resource");

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

  it("enriches with the publish function and puts Lead Stage Changed events on the bus", () => {
    // Prepare
    const [publishId] = resourceAt(stateless, "AWS::Lambda::Function", "/publish/Handler/Resource");

    // Assess
    expect(pipe.Properties.Enrichment).toEqual(arnOf(publishId));
    expect(JSON.stringify(pipe.Properties.Target)).toMatch(/Bus/);
    expect(pipe.Properties.TargetParameters).toEqual({
      EventBridgeEventBusParameters: {
        Source: LEAD_STAGE_CHANGED.source,
        DetailType: LEAD_STAGE_CHANGED.detailType,
      },
    });
  });

  it("logs errors without execution data (payloads carry names and emails)", () => {
    expect(pipe.Properties.LogConfiguration).toMatchObject({ Level: "ERROR" });
    expect(pipe.Properties.LogConfiguration).not.toHaveProperty("IncludeExecutionData");
  });

  it("is created after its role's policy, so it can validate its source and targets", () => {
    // Prepare
    const [policyId] = resourceAt(stateless, "AWS::IAM::Policy", "/TransitionPipe/Role/DefaultPolicy/Resource");

    // Assess
    expect(pipe.DependsOn).toContain(policyId);
  });
});
