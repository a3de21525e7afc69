import { RipenError } from "#shared/domain/errors";
import { SOURCES, type SourceName } from "#shared/domain/lead-event";

/** The metric a refused delivery counts: alarms watch it per sender (a rotated secret is a storm of these). */
export const WEBHOOKS_REFUSED = "WebhooksRefused";

/**
 * The dimensions of a delivery refused with an error Ripen raised on purpose: the sender's name, only when
 * it is one Ripen knows, and the error's code, so both dimensions stay closed sets. Anything else: none.
 */
export function webhookRefusal(source: string, error: unknown): { source: SourceName; code: string } | undefined {
  if (!(error instanceof RipenError)) return undefined;
  if (!(SOURCES as readonly string[]).includes(source)) return undefined;
  return { source: source as SourceName, code: error.code };
}
