import type { SourceName } from "../../domain/lead-event";
import type { SourceLoader } from "./source";

/**
 * The sources of WEBHOOK_SOURCES (./index.ts), each imported on its first delivery. The ingest function
 * uses these: its bundle keeps every sender, but a sender's module (its zod schemas above all) is only
 * evaluated when that sender posts, so a cold start doesn't build the schemas of eight senders to
 * answer one. A module is imported once per process; its later deliveries cost a resolved promise.
 */
export const WEBHOOK_SOURCE_LOADERS: Partial<Record<SourceName, SourceLoader>> = {
  typeform: () => import("./typeform").then((module) => module.typeform),
  tally: () => import("./tally").then((module) => module.tally),
  webflow: () => import("./webflow").then((module) => module.webflow),
  hubspot: () => import("./hubspot").then((module) => module.hubspot),
  zoom: () => import("./zoom").then((module) => module.zoom),
  calendly: () => import("./calendly").then((module) => module.calendly),
  calcom: () => import("./calcom").then((module) => module.calcom),
  generic: () => import("./generic").then((module) => module.generic),
};
