import type { ErasureAudit } from "#shared/application/erase-lead";
import { entityItem, type Item } from "./item";

/**
 * One erasure, audited without personal data: pk AUDIT#ERASURE#<yyyy-mm>, sk <at>#<leadId>, outside the
 * person's partition so the erasure does not take it.
 */
export const ERASURE_AUDIT = "audit";

export const ERASURE_AUDIT_PREFIX = "AUDIT#ERASURE#";
export const erasureAuditPk = (at: string) => `${ERASURE_AUDIT_PREFIX}${at.slice(0, 7)}`;
/** `leadId`: the erased lead's id, or a random stand-in for an audit that may not name it. */
export const erasureAuditSk = (at: string, leadId: string) => `${at}#${leadId}`;

export function erasureAuditItem(audit: ErasureAudit): Item {
  return entityItem(ERASURE_AUDIT, erasureAuditPk(audit.at), erasureAuditSk(audit.at, audit.leadId), {
    action: "lead.erased",
    ...audit,
  });
}
