import { en } from "zod/locales";
import * as z from "zod/mini";

// zod/mini loads no locale: without one, every issue's message would read "Invalid input". Messages are
// written when a schema refuses a value, so the locale is set here, where every caller that shows
// messages gets its details, before any of them parses.
z.config(en());

/** One refusal as the API shows it in `details.issues`. */
export interface IssueDetail {
  /** The dotted path of the refused field ("" for the value itself). */
  path: string;
  message: string;
  code: string;
}

/** One refusal of a field, by the keys and indexes leading to it, for a check a schema cannot make. */
export function issueDetail(path: readonly PropertyKey[], code: string, message: string): IssueDetail {
  return { path: path.map(String).join("."), message, code };
}

/** A schema's issues as error details, each path under `prefix` when given (`events[1]`). */
export function issueDetails(issues: readonly z.core.$ZodIssue[], prefix: readonly string[] = []): IssueDetail[] {
  return issues.map((issue) => issueDetail([...prefix, ...issue.path], issue.code, issue.message));
}

/** The issues in one line, `path: message; path: message`: for an environment or a command line. */
export function issueSummary(issues: readonly z.core.$ZodIssue[]): string {
  return issueDetails(issues)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join("; ");
}
