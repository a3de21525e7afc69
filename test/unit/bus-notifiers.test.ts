import { describe, expect, it } from "vitest";
import { audiencesFor, NOTIFIERS } from "#shared/bus/notifiers";
import { RULES } from "#shared/bus/rules";
import { Channel } from "#shared/domain/model/notifications";
import { FUNCTION_ENV, notifierEnvShape } from "#shared/runtime/env";
import { FUNCTIONS } from "#shared/runtime/routes";

describe("the notifiers", () => {
  it.each(Channel.options)("deliver the model's channel %s through exactly one notifier", (channel) => {
    const deliverers = Object.values(NOTIFIERS).filter((notifier) => Object.hasOwn(notifier.delivers, channel));
    expect(deliverers).toHaveLength(1);
  });

  it.each(Object.values(NOTIFIERS))("$name is a function that declares what every notifier reads", (notifier) => {
    expect(Object.keys(FUNCTIONS)).toContain(notifier.function);
    const declared = Object.keys(FUNCTION_ENV[notifier.function]);
    expect(declared).toEqual(expect.arrayContaining(Object.keys(notifierEnvShape)));
  });

  it.each(Object.values(NOTIFIERS))(
    "$name has a stage-change, an SLA and an sql-ready rule that invoke it",
    (notifier) => {
      const targets = Object.entries(RULES).filter(([, rule]) => rule.target === notifier.function);
      expect(targets.map(([name]) => name)).toEqual(
        expect.arrayContaining([`notify${notifier.name[0]?.toUpperCase()}${notifier.name.slice(1)}`]),
      );
      expect(targets.some(([name]) => name.endsWith("OnSlaBreach"))).toBe(true);
      expect(targets.some(([name]) => name.endsWith("OnSqlReady"))).toBe(true);
    },
  );

  it("reach the audiences an alert's channels name, and ignore channels they do not deliver", () => {
    expect(audiencesFor(NOTIFIERS.slack, ["email", "marketing", "slack", "teams"])).toEqual(["marketing", "owner"]);
    expect(audiencesFor(NOTIFIERS.email, ["slack", "marketing"])).toEqual([]);
  });
});
