import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { boundAuditDetails, boundAuditString } from "@/lib/db/queries/audit-bounds";

export interface AuditEntry {
  actorId?: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  details?: Prisma.InputJsonObject;
  ip?: string | null;
}

/**
 * Appends one audit row. Pass `tx` to make it part of the same transaction as the change it records. Every field is
 * bounded here (long strings keep a prefix and a hash), so no caller can store unbounded user-supplied text.
 */
export function insertAudit(entry: AuditEntry, tx: Tx = db()) {
  return tx.auditLog.create({
    data: {
      actorId: entry.actorId ?? null,
      action: boundAuditString(entry.action, 100),
      entity: boundAuditString(entry.entity, 100),
      entityId: entry.entityId == null ? null : boundAuditString(entry.entityId),
      details: boundAuditDetails(entry.details ?? {}),
      ip: entry.ip == null ? null : boundAuditString(entry.ip, 64),
    },
  });
}

export function listAudit(opts: { limit: number; before?: bigint; action?: string }) {
  return db().auditLog.findMany({
    where: { ...(opts.before ? { id: { lt: opts.before } } : {}), ...(opts.action ? { action: opts.action } : {}) },
    orderBy: { id: "desc" },
    take: opts.limit,
    include: { actor: { select: { email: true } } },
  });
}
