import { LEAD_SLA_BREACHED } from "./lead-sla-breached";
import { LEAD_SQL_READY } from "./lead-sql-ready";
import { LEAD_STAGE_CHANGED } from "./lead-stage-changed";
import { channelsOf, NOTIFIERS, type NotifierRoute, ownerChannelsOf } from "./notifiers";
import type { EventPattern } from "./summary-schemas";

/** A rule on the bus: its pattern, and the function it invokes. */
export interface RuleDefinition {
  description: string;
  target: string;
  pattern: EventPattern;
}

const stageChanged = (detail: EventPattern): EventPattern => ({
  source: [LEAD_STAGE_CHANGED.source],
  "detail-type": [LEAD_STAGE_CHANGED.detailType],
  detail,
});
const slaBreached = (detail: EventPattern): EventPattern => ({
  source: [LEAD_SLA_BREACHED.source],
  "detail-type": [LEAD_SLA_BREACHED.detailType],
  detail,
});

const sqlReady = (detail: EventPattern): EventPattern => ({
  source: [LEAD_SQL_READY.source],
  "detail-type": [LEAD_SQL_READY.detailType],
  detail,
});

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * A notifier's three rules: the changes of stage stamped with one of its channels (a pattern on an array
 * matches when any element does), the SLA breaches whose rule names one of its owner channels, and the
 * waits for review stamped with one of its owner channels. Named `notify<Name>`, `notify<Name>OnSlaBreach`
 * and `notify<Name>OnSqlReady`, the names deployed stacks know them by.
 */
export function notifierRules(notifier: NotifierRoute): Record<string, RuleDefinition> {
  const name = `notify${capitalized(notifier.name)}`;
  return {
    [name]: {
      description: notifier.description.stageChanged,
      target: notifier.function,
      pattern: stageChanged({ channels: channelsOf(notifier) }),
    },
    [`${name}OnSlaBreach`]: {
      description: notifier.description.slaBreached,
      target: notifier.function,
      pattern: slaBreached({ data: { notify: ownerChannelsOf(notifier) } }),
    },
    [`${name}OnSqlReady`]: {
      description: notifier.description.sqlReady,
      target: notifier.function,
      pattern: sqlReady({ channels: ownerChannelsOf(notifier) }),
    },
  };
}

/**
 * Version 1 events (no channels) replayed from the archive, routed as they were when published: sql to
 * both notifiers, mql to Slack; each notifier reads the channels from the model then. The rules keep
 * their names, so a deployed stack updates them and their dead-letter queues in place. Remove them once
 * the archive (ripen:archiveRetentionDays) holds no version 1 event.
 */
const version1 = (to: string) => stageChanged({ metadata: { version: ["1"] }, data: { to: [to] } });
const VERSION_1_RULES = {
  notifySlackOnSql: {
    description: "Version 1 (replayed): a lead became sales qualified: tell its owner on Slack",
    target: NOTIFIERS.slack.function,
    pattern: version1("sql"),
  },
  notifySlackOnMql: {
    description: "Version 1 (replayed): a lead became marketing qualified: tell the marketing channel",
    target: NOTIFIERS.slack.function,
    pattern: version1("mql"),
  },
  notifyEmailOnSql: {
    description: "Version 1 (replayed): a lead became sales qualified: email its owner",
    target: NOTIFIERS.email.function,
    pattern: version1("sql"),
  },
} as const satisfies Record<string, RuleDefinition>;

/** Every rule on the bus: each notifier's, then the version 1 rules. The CDK stack and the local bus build these. */
export const RULES: Readonly<Record<string, RuleDefinition>> = {
  ...Object.values(NOTIFIERS).reduce<Record<string, RuleDefinition>>(
    (rules, notifier) => Object.assign(rules, notifierRules(notifier)),
    {},
  ),
  ...VERSION_1_RULES,
};
