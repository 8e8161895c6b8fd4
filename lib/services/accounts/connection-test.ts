import { insertAudit } from "@/lib/db/queries/audit";
import type { Actor } from "@/lib/auth/roles";
import type { PingResult } from "@/lib/brokers/types";
import { ValidationError } from "@/lib/errors";
import { probeConnection, type ConnectionReport } from "./connection-probe";
import { brokerOf } from "./account-schemas";

/** The connection a form asked to test, and who asked (every test is audited). */
export interface TestContext {
  actor: Actor;
  /** The account's broker kind (`TradingAccount.kind`): its probe and wording are used. */
  kind: string;
  ip: string;
  accountId?: string;
  /** The key was the stored one, not typed. */
  storedKey: boolean;
}

/**
 * Tests the API and the WebSocket (./connection-probe.ts) and audits the outcome: reasons only, never the
 * key or anything the remote host said.
 */
export async function checkConnection(
  input: { hostUrl: string; wsUrl: string; apiKey: string },
  ctx: TestContext,
): Promise<ConnectionReport> {
  const report = await probeConnection(brokerOf(ctx), input.hostUrl, input.wsUrl, input.apiKey);
  const outcome = (v: ConnectionReport["api"] | ConnectionReport["ws"]) => (v.ok ? "ok" : v.reason);
  await insertAudit({
    actorId: ctx.actor.id,
    action: "account.connection_test",
    entity: "account",
    entityId: ctx.accountId,
    details: {
      hostUrl: input.hostUrl.slice(0, 300),
      wsUrl: input.wsUrl.slice(0, 300),
      api: outcome(report.api),
      ws: outcome(report.ws),
      storedKey: ctx.storedKey,
    },
    ip: ctx.ip,
  });
  return report;
}

/** A failed verdict as the 400 a form shows: the classified message (the kind's wording), on the field to look at. */
export function connectionProblem(report: ConnectionReport, kind: string): ValidationError | null {
  const { api, ws } = report;
  if (!api.ok) {
    const { wording } = brokerOf({ kind });
    const field = api.reason === "auth_rejected" ? "apiKey" : "hostUrl";
    const short = api.reason === "auth_rejected" ? wording.authRejectedShort : api.message;
    return new ValidationError(
      api.reason === "auth_rejected" ? api.message : `${api.message}. ${wording.unreachableHint}`,
      { [field]: [short] },
    );
  }
  if (!ws.ok)
    return new ValidationError(`The API works, but the WebSocket does not: ${ws.message}. Check the WebSocket URL.`, {
      wsUrl: [ws.message],
    });
  return null;
}

/** Tests before saving: a 400 naming the field unless both the API and the WebSocket accept the key. */
export async function requireConnection(
  input: { hostUrl: string; wsUrl: string; apiKey: string },
  ctx: TestContext,
): Promise<PingResult> {
  const report = await checkConnection(input, ctx);
  const problem = connectionProblem(report, ctx.kind);
  if (problem || !report.api.ok) throw problem;
  return { broker: report.api.broker, mode: report.api.mode };
}
