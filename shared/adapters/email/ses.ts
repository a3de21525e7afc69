import { createHash } from "node:crypto";
import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import * as z from "zod/mini";
import type { AlertLog, DeliveryResult } from "#shared/application/ports/alert-ledger";
import type { AlertSender } from "#shared/application/ports/alert-sender";
import { AlertRejectedError, AlertUnavailableError } from "#shared/application/ports/alert-sender";
import type { Audience } from "#shared/bus/notifiers";
import type { Alert } from "#shared/domain/alert";
import { type AlertEmail, alertEmail } from "./alert-email";

export interface SesAlertSenderDeps {
  client: SESv2Client;
  /** The verified sender address; unset: email alerts are off. */
  from?: string;
  /** Who gets the alert when the lead has no owner (or the owner no valid email). */
  fallbackRecipients: readonly string[];
  log: AlertLog;
  /** The signed link to the alert's lead page, if any. */
  pageUrl?: (alert: Alert) => string | undefined;
  /** The lead in the CRM, if configured. */
  leadUrl?: (leadId: string) => string | undefined;
  configurationSet?: string;
}

const Address = z.email();

/** SES errors that pass with time; every other refusal (rejected message, unverified sender) is final. */
const TRANSIENT = new Set(["TooManyRequestsException", "LimitExceededException", "ThrottlingException"]);

/** Alerts by email through SES v2: HTML and text, to the owner or the fallback recipients. */
export function sesAlertSender(deps: SesAlertSenderDeps): AlertSender {
  const { client, from, log } = deps;
  return {
    channel: "email",
    audiences: () => new Set<Audience>(from ? ["owner"] : []),
    async send(alert: Alert, audience: Audience): Promise<DeliveryResult> {
      if (!from || audience !== "owner") return "skipped";
      const recipients = recipientsFor(alert, deps.fallbackRecipients);
      if (recipients.length === 0) {
        log.warn("no email recipient: the lead has no owner with an email and RIPEN_ALERT_EMAILS is empty");
        return "skipped";
      }
      const email = alertEmail(alert, links(alert, deps));
      await sendEmail(client, { from, to: recipients, email, configurationSet: deps.configurationSet });
      log.info("alert emailed", { recipients: recipients.map(addressHash) });
      return "sent";
    },
  };
}

export function recipientsFor(alert: Alert, fallback: readonly string[]): string[] {
  const owner = alert.owner?.email;
  if (owner && Address.safeParse(owner).success) return [owner];
  return fallback.filter((address) => Address.safeParse(address).success);
}

async function sendEmail(
  client: SESv2Client,
  input: { from: string; to: string[]; email: AlertEmail; configurationSet?: string | undefined },
): Promise<void> {
  const utf8 = (data: string) => ({ Data: data, Charset: "UTF-8" });
  try {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: input.from,
        Destination: { ToAddresses: input.to },
        Content: {
          Simple: {
            Subject: utf8(input.email.subject),
            Body: { Html: utf8(input.email.html), Text: utf8(input.email.text) },
          },
        },
        ...(input.configurationSet && { ConfigurationSetName: input.configurationSet }),
      }),
    );
  } catch (error) {
    throw classify(error);
  }
}

/** SDK errors carry `$fault` (client/server) and a name; network failures carry neither. */
function classify(error: unknown): Error {
  const { name = "Error", $fault } = error as { name?: string; $fault?: string };
  if ($fault === "client" && !TRANSIENT.has(name)) return new AlertRejectedError(`ses refused the email: ${name}`);
  return new AlertUnavailableError(`ses could not take the email now: ${name}`);
}

/** Addresses are personal data: logs get a short hash, enough to correlate two lines. */
export function addressHash(address: string): string {
  return createHash("sha256").update(address.trim().toLowerCase()).digest("hex").slice(0, 12);
}

/** Local development without an SES endpoint: the email is printed instead of sent. */
export function consoleEmailSender(
  write: (text: string) => void,
  fallbackRecipients: readonly string[],
  pageUrl?: (alert: Alert) => string | undefined,
): AlertSender {
  return {
    channel: "email",
    audiences: () => new Set<Audience>(["owner"]),
    async send(alert) {
      const email = alertEmail(alert, links(alert, { pageUrl }));
      const to = recipientsFor(alert, fallbackRecipients).join(", ") || "(no recipient)";
      write(
        `\n[email → ${to}] SES is not configured (SES_ENDPOINT); the email:\n${email.subject}\n\n${email.text}\n\n`,
      );
      return "sent";
    },
  };
}

/** The email's links: the lead's page in Ripen and the CRM's, each when configured. */
function links(alert: Alert, deps: Pick<SesAlertSenderDeps, "pageUrl" | "leadUrl">) {
  const pageUrl = deps.pageUrl?.(alert);
  const leadUrl = deps.leadUrl?.(alert.leadId);
  return { ...(pageUrl && { pageUrl }), ...(leadUrl && { leadUrl }) };
}
