import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";

export interface AuditEntry {
  actorId?: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  details?: Prisma.InputJsonObject;
  ip?: string | null;
}

/** Appends one audit row. Pass `tx` to make it part of the same transaction as the change it records. */
export function insertAudit(entry: AuditEntry, tx: Prisma.TransactionClient = db()) {
  return tx.auditLog.create({
    data: {
      actorId: entry.actorId ?? null,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      details: entry.details ?? {},
      ip: entry.ip ?? null,
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
