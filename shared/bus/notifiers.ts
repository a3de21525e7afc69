import type { Channel } from "#shared/domain/model/notifications";

/** Who is alerted, and where: the lead's owner, or the marketing team's channel. */
export type Audience = "owner" | "marketing";

/**
 * A notifier as the bus sees it: the function a rule invokes, and the channels it delivers, each to its
 * audience. Routing is decided once, by the model's notification rules (the publisher stamps their
 * channels on each event); a notifier's rules match its channels and nothing else (rules.ts).
 */
export interface NotifierRoute<Name extends string = string, ChannelName extends string = string> {
  /** The alert channel's name: the ledger's key, logs and metrics (`slack`, `email`). */
  readonly name: Name;
  /** The function the notifier's rules invoke: `notify-<name>`. */
  readonly function: `notify-${Name}`;
  /** Each channel this notifier delivers, and to whom. */
  readonly delivers: Readonly<Partial<Record<ChannelName, Audience>>>;
  /** What its rules say in the console. */
  readonly description: { stageChanged: string; slaBreached: string; sqlReady: string };
}

/**
 * The notifiers, one per alert channel function. Every channel the model may name is delivered by exactly
 * one of them (a test holds this): adding a channel is adding it to the model's `Channel` and here.
 */
export const NOTIFIERS = {
  slack: {
    name: "slack",
    function: "notify-slack",
    delivers: { slack: "owner", marketing: "marketing" },
    description: {
      stageChanged: "A change of stage the model's rules send to Slack: the owner, or the marketing channel",
      slaBreached: "A lead waited too long for a rep: remind its owner on Slack",
      sqlReady: "A lead is sql-ready (the SDR gate): ask its owner on Slack to Qualify or Disqualify it",
    },
  },
  email: {
    name: "email",
    function: "notify-email",
    delivers: { email: "owner" },
    description: {
      stageChanged: "A change of stage the model's rules send by email to the owner",
      slaBreached: "A lead waited too long for a rep: email its owner",
      sqlReady: "A lead is sql-ready (the SDR gate): email its owner to Qualify or Disqualify it",
    },
  },
} as const satisfies Record<string, NotifierRoute<string, Channel>>;
export type NotifierName = keyof typeof NOTIFIERS;

/** The channels a notifier delivers. */
export const channelsOf = (notifier: NotifierRoute): string[] => Object.keys(notifier.delivers);

/** The channels a notifier delivers to the lead's owner: the ones an SLA reminder or a review request can name. */
export const ownerChannelsOf = (notifier: NotifierRoute): string[] =>
  Object.entries(notifier.delivers)
    .filter(([, audience]) => audience === "owner")
    .map(([channel]) => channel);

/** The audiences an alert for these channels reaches through one notifier. */
export function audiencesFor(notifier: NotifierRoute, channels: readonly string[]): Audience[] {
  const audiences: Audience[] = [];
  for (const channel of channels) {
    const audience = (notifier.delivers as Record<string, Audience | undefined>)[channel];
    if (audience) audiences.push(audience);
  }
  return audiences;
}
