import { listAudit } from "@/lib/db/queries/audit";

/** Newest audit rows first, in a JSON-safe shape (BigInt ids as strings). */
export async function recentAudit(opts: { limit: number; before?: string; action?: string }) {
  const rows = await listAudit({
    limit: opts.limit,
    before: opts.before ? BigInt(opts.before) : undefined,
    action: opts.action,
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    at: r.createdAt.toISOString(),
    actor: r.actor?.email ?? null,
    action: r.action,
    entity: r.entity,
    entityId: r.entityId,
    details: r.details,
    ip: r.ip,
  }));
}
