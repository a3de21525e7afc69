import type { WebhookSource } from "#shared/application/ports/webhook-source";
import type { SourceName } from "#shared/domain/lead-event";
import { calcom } from "./calcom";
import { calendly } from "./calendly";
import { generic } from "./generic";
import { gotowebinar } from "./gotowebinar";
import { hubspot } from "./hubspot";
import { livestorm } from "./livestorm";
import { savvycal } from "./savvycal";
import { tally } from "./tally";
import { typeform } from "./typeform";
import { webflow } from "./webflow";
import { zoom } from "./zoom";

/** The sources Ripen accepts today. A known name missing here answers 404 unknown_source. */
export const WEBHOOK_SOURCES: Partial<Record<SourceName, WebhookSource>> = {
  typeform,
  tally,
  webflow,
  hubspot,
  zoom,
  calendly,
  calcom,
  gotowebinar,
  livestorm,
  savvycal,
  generic,
};
