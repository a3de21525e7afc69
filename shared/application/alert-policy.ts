import type { Alert, AlertChannel } from "./alert-events";
import { type Audience, CHANNEL_DELIVERY } from "./lead-stage-changed";

export type { Audience };

/**
 * Which audiences an alert reaches through one notifier: the channels its event asks for (stamped on a
 * stage change by the publisher, named by an SLA rule) that this notifier delivers. Routing is decided
 * once, by the model's notification rules; a notifier only reads it.
 */
export function alertAudiences(alert: Alert, notifier: AlertChannel): Audience[] {
  return alert.channels
    .filter((channel) => CHANNEL_DELIVERY[channel].notifier === notifier)
    .map((channel) => CHANNEL_DELIVERY[channel].audience);
}
