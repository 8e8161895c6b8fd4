/** Helpers for integration tests against the real test database and Redis (never used by product code). */
import { encode } from "next-auth/jwt";
import { env } from "@/lib/env";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis, redis } from "@/lib/redis";
import { closeFanout } from "@/lib/realtime/redis-fanout";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { closeQueues } from "@/lib/queues/queues";
import { hashPassword } from "@/lib/auth/password";
import { invalidateCalendarCache } from "@/lib/services/calendar";
import type { Role } from "@/lib/auth/roles";

/** Closes this test process's queues, rate-governor connection, Redis and database (a file's afterAll). */
export async function closeConnections(): Promise<void> {
  await closeQueues();
  await closeRateGovernor();
  await closeFanout();
  await disconnectRedis();
  await disconnectDb();
}

/**
 * Empties every table (TRUNCATE skips the audit log's row triggers) and the test Redis index, and forgets the
 * process's cached calendar.
 */
export async function resetState(): Promise<void> {
  await db().$executeRawUnsafe(
    `TRUNCATE users, audit_logs, settings, trading_accounts, alerts, strategy_runs, order_intents, strategies, instrument_settings, quality_grades, underlying_margins, exits, exit_accounts, exit_claims, kill_switches, square_offs, mtm_snapshots, market_sessions, risk_events RESTART IDENTITY CASCADE`,
  );
  await redis().flushdb();
  // The trading calendar's rows are cached in this process; the emptied table and flushed version key start afresh.
  invalidateCalendarCache();
}

let counter = 0;
export async function makeUser(role: Role, password = "fixture-password-1") {
  counter += 1;
  const user = await db().user.create({
    data: {
      email: `${role.toLowerCase()}${counter}-${Date.now()}@test.in`,
      name: `${role} ${counter}`,
      role,
      passwordHash: await hashPassword(password),
    },
  });
  return { ...user, password };
}

/** A real next-auth session cookie for `user`, as the browser would send it. */
export async function sessionCookie(user: { id: string; sessionVersion: number }): Promise<string> {
  const salt = "authjs.session-token";
  const token = await encode({ token: { sub: user.id, sv: user.sessionVersion }, secret: env().AUTH_SECRET, salt });
  return `${salt}=${token}`;
}

/**
 * A request as MirrorDesk's own pages send it: JSON, from the app's origin (APP_URL), so the same-origin check passes.
 * `origin: null` leaves the Origin header out; `headers` adds or overrides any header.
 */
export function jsonRequest(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    cookie?: string;
    ip?: string;
    origin?: string | null;
    headers?: Record<string, string>;
  } = {},
): Request {
  const headers = new Headers({ "content-type": "application/json", "x-forwarded-for": init.ip ?? "203.0.113.7" });
  const origin = init.origin === undefined ? new URL(env().APP_URL).origin : init.origin;
  if (origin !== null) headers.set("origin", origin);
  if (init.cookie) headers.set("cookie", init.cookie);
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
  return new Request(`${new URL(env().APP_URL).origin}${url}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
}

export function paramsOf(p: Record<string, string>) {
  return { params: Promise.resolve(p) };
}
