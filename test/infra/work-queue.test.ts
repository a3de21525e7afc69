import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "#shared/runtime/routes";
import { WORK_QUEUE } from "#shared/runtime/work-queue";
import { permissionsOf } from "../../infra/function-permissions";
import { WORKER_FUNCTION } from "../../infra/work-queue";
import { arnOf, resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

const { stateless } = synthRipen();
const [queueId, queue] = resourceAt(stateless, "AWS::SQS::Queue", "/WorkQueue/Resource");
const [deadLettersId] = resourceAt(stateless, "AWS::SQS::Queue", "/WorkQueueDeadLetters/Resource");
const [workerId, worker] = resourceAt(stateless, "AWS::Lambda::Function", `/${WORKER_FUNCTION}/Handler/Resource`);
const senders = Object.keys(FUNCTIONS).filter((name) => permissionsOf(name).workQueue);

describe("the work queue of batch runs", () => {
  it("is encrypted, outlives a worker's timeout and sets a work item aside after its last delivery", () => {
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: WORK_QUEUE.visibilityTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: arnOf(deadLettersId), maxReceiveCount: WORK_QUEUE.maxReceives },
    });
    expect(WORK_QUEUE.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(worker.Properties.Timeout as number);
    expect(worker.Properties.Timeout).toBe(WORK_QUEUE.workerTimeoutSeconds);
  });

  it("feeds the worker one item at a time, with as many workers at once as the budget is shared among", () => {
    // Act
    const mappings = Object.values(resourcesOfType(stateless, "AWS::Lambda::EventSourceMapping"));

    // Assess
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      EventSourceArn: arnOf(queueId),
      FunctionName: { Ref: workerId },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: WORK_QUEUE.workers },
    });
  });

  it("refuses anything but TLS, on the queue and on its dead letters", () => {
    // Act
    const policies = Object.values(resourcesOfType(stateless, "AWS::SQS::QueuePolicy")).map((policy) =>
      JSON.stringify(policy.Properties),
    );

    // Assess
    for (const id of [queueId, deadLettersId]) {
      expect(policies.some((policy) => policy.includes(id) && policy.includes('"aws:SecureTransport":"false"'))).toBe(
        true,
      );
    }
  });

  it.each(Object.keys(FUNCTIONS))("%s may send to it, with its URL, only if its permissions say so", (name) => {
    // Prepare
    const [, handler] = resourceAt(stateless, "AWS::Lambda::Function", `/${name}/Handler/Resource`);
    const [, policy] = resourceAt(stateless, "AWS::IAM::Policy", `/${name}/Role/DefaultPolicy/Resource`);
    const variables = (handler.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
      .Statement;
    const sends = statements.some(
      (statement) =>
        [statement.Action].flat().includes("sqs:SendMessage") &&
        [statement.Resource].flat().some((resource) => JSON.stringify(resource) === JSON.stringify(arnOf(queueId))),
    );

    // Assess
    const named = senders.includes(name);
    expect(sends).toBe(named);
    expect(variables[WORK_QUEUE.urlVariable] !== undefined).toBe(named);
    if (named) expect(variables[WORK_QUEUE.urlVariable]).toEqual({ Ref: queueId });
  });

  it("is named in the stack's outputs for npm run model -- rescore --aws", () => {
    expect(stateless.findOutputs("WorkQueueUrl")).toMatchObject({ WorkQueueUrl: { Value: { Ref: queueId } } });
  });
});
