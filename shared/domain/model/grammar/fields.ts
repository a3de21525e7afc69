import * as z from "zod";
import { SOURCES } from "#shared/domain/lead-event";

/**
 * Form answers arrive keyed by whatever the sender uses (Typeform refs, Tally labels, Calendly question
 * text). The field mapping turns them into lead attributes (companySize, jobTitle, budget, timeline...)
 * that fit rules and BANT read: by phrases found in the label, for every source, and by exact keys per source.
 */

const AttributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "an attribute name like companySize")
  .max(64);

export const FieldMapping = z
  .strictObject({
    labels: z
      .record(AttributeName, z.array(z.string().min(1)).min(1))
      .describe("attribute → phrases; an answer whose label contains a phrase (as whole words) sets the attribute"),
    sources: z
      .partialRecord(z.enum(SOURCES), z.record(z.string().min(1), AttributeName))
      .optional()
      .describe("per source: exact answer key (label or ref) → attribute; wins over the phrases"),
  })
  .meta({ id: "FieldMapping" });
export type FieldMapping = z.infer<typeof FieldMapping>;

/** Declaration order breaks ties between phrases of the same length: specific before generic. */
export const DEFAULT_FIELD_MAPPING: FieldMapping = {
  labels: {
    email: ["email", "e mail", "email address", "work email"],
    firstName: ["first name", "given name"],
    lastName: ["last name", "surname", "family name"],
    jobTitle: ["job title", "title", "role", "position", "job role", "job function"],
    seniority: ["seniority", "job level"],
    purchaseRole: ["role in purchase process", "purchase role", "buying role", "decision maker"],
    companySize: ["company size", "employees", "how many employees", "team size", "headcount", "number of employees"],
    budget: ["budget"],
    timeline: ["timeline", "timeframe", "time frame", "when", "how soon", "start date", "go live"],
    need: ["need", "needs", "use case", "challenge", "problem", "looking for", "goal", "goals", "how can we help"],
    industry: ["industry", "sector"],
    country: ["country"],
    website: ["website", "company website"],
    name: ["name", "full name", "your name"],
    company: ["company", "company name", "organization", "organisation"],
  },
};
