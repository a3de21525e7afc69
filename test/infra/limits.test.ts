import { describe, expect, it } from "vitest";
import { NOTIFIERS } from "#shared/bus/notifiers";
import { FUNCTIONS } from "#shared/runtime/routes";
import { buildRipen, resourceAt, synthRipen } from "./ripen-app";

const notifierFunctions = Object.values(NOTIFIERS).map((notifier) => notifier.function as string);
const reservationOf = (stateless: ReturnType<typeof synthRipen>["stateless"], name: string) =>
  resourceAt(stateless, "AWS::Lambda::Function", `/${name}/Handler/Resource`)[1].Properties
    .ReservedConcurrentExecutions;

describe("limits", () => {
  it("reserve no concurrency by default: a default would fail deploys in small accounts", () => {
    // Act
    const { stateless } = synthRipen();

    // Assess
    for (const name of Object.keys(FUNCTIONS)) expect(reservationOf(stateless, name), name).toBeUndefined();
  });

  it("reserve ripen:notifierReservedConcurrency for each notifier, and for no other function", () => {
    // Act
    const { stateless } = synthRipen({ context: { "ripen:notifierReservedConcurrency": 3 } });

    // Assess
    for (const name of Object.keys(FUNCTIONS)) {
      expect(reservationOf(stateless, name), name).toBe(notifierFunctions.includes(name) ? 3 : undefined);
    }
  });
});

describe("stack names", () => {
  it("stay RipenStateful and RipenStateless without a stage, so a deployed table keeps its stack", () => {
    // Act
    const { stateful, stateless } = buildRipen();

    // Assess
    expect([stateful.stackName, stateless.stackName]).toEqual(["RipenStateful", "RipenStateless"]);
  });

  it("carry the stage from ripen:stage, so two stages deploy side by side in one account", () => {
    // Act
    const dev = buildRipen({ context: { "ripen:stage": "dev" } });
    const prod = buildRipen({ context: { "ripen:stage": "prod" } });

    // Assess
    expect([dev.stateful.stackName, dev.stateless.stackName]).toEqual(["RipenStateful-dev", "RipenStateless-dev"]);
    expect([prod.stateful.stackName, prod.stateless.stackName]).toEqual(["RipenStateful-prod", "RipenStateless-prod"]);
  });
});

describe("what the recovery commands read", () => {
  it("is in the stacks' outputs: the table, the bus, its archive and the dead-letter queues", () => {
    // Act
    const { stateful, stateless } = synthRipen();

    // Assess
    expect(Object.keys(stateful.findOutputs("*"))).toEqual(
      expect.arrayContaining(["TableName", "EventBusArn", "ArchiveArn"]),
    );
    const outputs = stateless.findOutputs("*");
    expect(JSON.stringify(outputs.BusDeadLetterQueues)).toContain("DeadLetters");
    expect(JSON.stringify(outputs.PipeDeadLetterQueues)).toContain("DeadLetters");
  });
});
