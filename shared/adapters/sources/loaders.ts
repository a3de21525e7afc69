import type { SourceLoader, WebhookSource } from "#shared/application/ports/webhook-source";
import type { SourceName } from "#shared/domain/lead-event";

/**
 * A loader that imports once: later deliveries get the same promise, never another import() (which,
 * outside a bundle, goes through the module loader each time). A failed import is tried again.
 */
function once(load: () => Promise<WebhookSource>): SourceLoader {
  let loading: Promise<WebhookSource> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/**
 * The sources of WEBHOOK_SOURCES (./index.ts), each imported on its first delivery. The ingest function
 * uses these: its bundle keeps every sender, but a sender's module (its zod schemas above all) is only
 * evaluated when that sender posts, so a cold start doesn't build the schemas of eleven senders to
 * answer one. A module is imported once per process; its later deliveries cost a resolved promise.
 */
export const WEBHOOK_SOURCE_LOADERS: Partial<Record<SourceName, SourceLoader>> = {
  typeform: once(() => import("./typeform").then((module) => module.typeform)),
  tally: once(() => import("./tally").then((module) => module.tally)),
  webflow: once(() => import("./webflow").then((module) => module.webflow)),
  hubspot: once(() => import("./hubspot").then((module) => module.hubspot)),
  zoom: once(() => import("./zoom").then((module) => module.zoom)),
  calendly: once(() => import("./calendly").then((module) => module.calendly)),
  calcom: once(() => import("./calcom").then((module) => module.calcom)),
  gotowebinar: once(() => import("./gotowebinar").then((module) => module.gotowebinar)),
  livestorm: once(() => import("./livestorm").then((module) => module.livestorm)),
  savvycal: once(() => import("./savvycal").then((module) => module.savvycal)),
  generic: once(() => import("./generic").then((module) => module.generic)),
};
