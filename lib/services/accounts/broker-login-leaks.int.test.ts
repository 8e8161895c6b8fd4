/**
 * The key-leak hunt for direct brokers: every direct kind linked (Fyers with the trader's PIN, Angel One with its PIN
 * and TOTP seed), logged in through the routes and used (books, the readiness check, a health round, a strategy run
 * through a real dispatch worker, automatic session renewals: Fyers by refresh token, Angel by password login); then
 * the app secret, the PINs, the TOTP seed and the TOTP codes sent, the day's access and refresh tokens (before and after
 * the renewal) and whatever the broker's redirect carried (code, request token, tokens) must appear nowhere in plain:
 * no API answer, log line, database text column, Redis value or job payload. Inside the encrypted blobs is the only
 * place they live.
 */
import { Writable } from "node:stream";
import { totpAt } from "@/lib/crypto/totp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { redirectLog } from "@/lib/log";
import { readDirectSecrets } from "@/lib/services/broker-access";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import {
  DIRECT_BROKERS,
  directInstance,
  linkDirect,
  loginThroughRoutes,
  startDirectSim,
} from "@/lib/testing/broker-login-kit";
import { ironCondor, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { everyDatabaseText, everyJobPayload, everyRedisValue, placesOf } from "@/lib/testing/secret-search";
import { GET as listRoute } from "@/app/api/accounts/route";
import { GET as getRoute } from "@/app/api/accounts/[id]/route";
import { GET as accountBookRoute } from "@/app/api/accounts/[id]/books/[book]/route";
import { POST as createStrategyRoute } from "@/app/api/strategies/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { runReadinessCheck } from "@/lib/services/readiness";
import { checkAllAccounts } from "./health";
import { renewBrokerSessions } from "./session-renewal";

/**
 * The Fyers PIN: 4 digits, too short for a plain substring search, so it is searched where it could stand as a value
 * of its own (no digit or decimal point before it, no digit after); the leading 0 keeps it out of ordinary numbers.
 */
const PIN = "0947";
/** A short number where it could stand as a value of its own (not inside a longer number or a decimal). */
const standsIn = (value: string, digits: string) => new RegExp(`(?<![\\d.])${digits}(?![\\d]|\\.\\d)`).test(value);
const pinIn = (value: string) => standsIn(value, PIN);
/** The Angel One PIN and TOTP seed (the simulated trader's, as the trader would copy them). */
const ANGEL_PIN = "0385";
const ANGEL_SEED = "GM4TMMZVHAYDCMRTGQ2TMNZYHEYDCMRT";

let sim: RunningSimulator;
const INSTANCES = DIRECT_BROKERS.map((b) => ({
  ...directInstance(b, "k"),
  ...(b.kind === "angel" ? { pin: ANGEL_PIN, totpSecret: ANGEL_SEED } : {}),
}));
const logLines: string[] = [];

beforeAll(async () => {
  await resetState();
  sim = await startDirectSim(INSTANCES);
  redirectLog(new Writable({ write: (chunk, _enc, cb) => (logLines.push(chunk.toString()), cb()) }));
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

describe("direct-broker secrets never leak", () => {
  it("the app secret, the tokens and the login's code are only inside the encrypted blobs", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const seen: string[] = [];
    const read = async (res: Response | Promise<Response>) => {
      const r = await res;
      const text = await r.text();
      seen.push(text, r.headers.get("location") ?? "", r.headers.get("set-cookie") ?? "");
      return { status: r.status, text };
    };

    const ids: string[] = [];
    const loginValues: string[] = [];
    for (const [i, entry] of DIRECT_BROKERS.entries()) {
      const typed: Record<string, string> =
        entry.kind === "fyers"
          ? { pin: PIN }
          : entry.kind === "angel"
            ? { pin: ANGEL_PIN, totpSecret: ANGEL_SEED }
            : {};
      const linked = await linkDirect(cookie, sim, entry, INSTANCES[i], typed);
      seen.push(linked.text);
      const id = linked.account.id;
      ids.push(id);
      const login = await loginThroughRoutes(cookie, id, entry);
      seen.push(login.started, login.finished.headers.get("location") ?? "", await login.finished.text());
      expect(login.finished.headers.get("location")).toContain(`loggedIn=${id}`);
      // Everything the broker's redirect carried but the state (ours) and short flags such as `code=200`.
      for (const [name, value] of login.callback.searchParams)
        if (name !== "state" && value.length >= 12) loginValues.push(value);
      for (const b of ["funds", "positions", "orders", "trades"]) {
        const answer = await read(accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id, book: b })));
        expect(answer.status, `${entry.kind} ${b}: ${answer.text}`).toBe(200);
      }
      await read(getRoute(jsonRequest("/x", { cookie }), paramsOf({ id })));
    }
    await read(listRoute(jsonRequest("/x", { cookie })));
    await runReadinessCheck({ accountIds: ids, trigger: "manual" }, { feedWaitMs: 100, clockProbes: 1 });
    await checkAllAccounts(new Date());

    // Real orders at every broker: a strategy run over all the direct accounts, sent by a real dispatch worker.
    const strategy = await read(
      createStrategyRoute(
        jsonRequest("/api/strategies", {
          body: { name: "Direct leak hunt", definition: ironCondor(), accountIds: ids },
          cookie,
        }),
      ),
    );
    expect(strategy.status, strategy.text).toBe(201);
    const strategyId = (JSON.parse(strategy.text) as { strategy: { id: string } }).strategy.id;
    const worker = await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 });
    let runId: string;
    try {
      const executed = await read(
        executeRoute(
          jsonRequest("/x", { body: { idempotencyKey: "direct-leak-hunt-01" }, cookie }),
          paramsOf({ id: strategyId }),
        ),
      );
      expect(executed.status, executed.text).toBe(201);
      runId = (JSON.parse(executed.text) as { runId: string }).runId;
      const run = await waitForRun(runId);
      expect(run.status, JSON.stringify(run)).toBe("COMPLETED");
    } finally {
      await worker.close();
    }
    for (const id of ids) await read(accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id, book: "orders" })));

    // The Fyers session ends and the renewal job renews it with the refresh token and the PIN; both sessions' tokens
    // are searched for.
    const fyersId = ids[DIRECT_BROKERS.findIndex((b) => b.kind === "fyers")];
    const before = await db().tradingAccount.findUniqueOrThrow({ where: { id: fyersId } });
    const ended = readDirectSecrets(env().CREDENTIAL_KEYS, before).session!;
    sim.market.clock.set(Math.max(sim.market.clock.now(), before.sessionExpiresAt!.getTime()) + 60_000);
    await db().tradingAccount.update({ where: { id: fyersId }, data: { sessionExpiresAt: new Date(Date.now() - 1) } });
    expect(await renewBrokerSessions(new Date())).toMatchObject({ renewed: 1, refused: 0 });
    await read(accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: fyersId, book: "funds" })));
    await read(getRoute(jsonRequest("/x", { cookie }), paramsOf({ id: fyersId })));

    // The Angel day ends; the renewal logs in with the client code, PIN and a TOTP made on this server's clock, which
    // the simulator's follows from here on. Every code that could have been sent is searched for.
    const angelId = ids[DIRECT_BROKERS.findIndex((b) => b.kind === "angel")];
    const angelBefore = await db().tradingAccount.findUniqueOrThrow({ where: { id: angelId } });
    const angelEnded = readDirectSecrets(env().CREDENTIAL_KEYS, angelBefore).session!;
    sim.market.clock.set(Date.now());
    sim.market.clock.setMode("realtime");
    await db().tradingAccount.update({ where: { id: angelId }, data: { sessionExpiresAt: new Date(Date.now() - 1) } });
    const from = Date.now() - 30_000;
    expect(await renewBrokerSessions(new Date())).toMatchObject({ refused: 0 });
    const codes = new Set<string>();
    for (let t = from; t <= Date.now() + 30_000; t += 10_000) codes.add(totpAt(ANGEL_SEED, t));
    const angelAfter = readDirectSecrets(
      env().CREDENTIAL_KEYS,
      await db().tradingAccount.findUniqueOrThrow({ where: { id: angelId } }),
    );
    expect(angelAfter.session!.accessToken).not.toBe(angelEnded.accessToken);
    await read(accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: angelId, book: "funds" })));
    await read(getRoute(jsonRequest("/x", { cookie }), paramsOf({ id: angelId })));

    // The secrets, from what the instances were given and from the stored (encrypted) sessions.
    const secrets = new Map<string, string>([
      ["fyers ended access token", ended.accessToken],
      ["angel ended access token", angelEnded.accessToken],
      ["angel ended side tokens", angelEnded.refreshToken!],
      ["angel TOTP seed", ANGEL_SEED],
    ]);
    for (const [i, id] of ids.entries()) {
      const row = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
      const { apiSecret, pin, totpSecret, session } = readDirectSecrets(env().CREDENTIAL_KEYS, row);
      expect(apiSecret).toBe(INSTANCES[i].appSecret);
      expect(pin).toBe({ fyers: PIN, angel: ANGEL_PIN }[DIRECT_BROKERS[i].kind as string]);
      expect(totpSecret).toBe(DIRECT_BROKERS[i].kind === "angel" ? ANGEL_SEED : undefined);
      secrets.set(`${DIRECT_BROKERS[i].kind} app secret`, apiSecret!);
      secrets.set(`${DIRECT_BROKERS[i].kind} access token`, session!.accessToken);
      if (session!.refreshToken) secrets.set(`${DIRECT_BROKERS[i].kind} refresh token`, session!.refreshToken);
    }
    loginValues.forEach((v, i) => secrets.set(`login value ${i}`, v));
    expect(loginValues.length).toBeGreaterThanOrEqual(DIRECT_BROKERS.length);

    const jobs = await everyJobPayload();
    const database = await everyDatabaseText();
    const redisValues = await everyRedisValue();
    // The search reaches real data: each account's id in rows, jobs, Redis and logs; its sealed session in its column.
    for (const id of ids) {
      expect(database.some((d) => d.where === "audit_logs.action" && d.value === "account.broker_login")).toBe(true);
      expect(jobs.some((j) => j.value.includes(id))).toBe(true);
      expect(logLines.some((l) => l.includes(id))).toBe(true);
      // Four legs each reached the broker: the broker's order ids are among the searched columns.
      const sent = await db().orderIntent.findMany({ where: { accountId: id, brokerOrderId: { not: null } } });
      expect(sent).toHaveLength(4);
      for (const o of sent)
        expect(database.some((d) => d.where === "order_intents.broker_order_id" && d.value === o.brokerOrderId)).toBe(
          true,
        );
    }
    expect(database.filter((d) => d.where === "trading_accounts.session_enc")).toHaveLength(ids.length);
    expect(database.filter((d) => d.where === "trading_accounts.api_secret_enc")).toHaveLength(ids.length);
    expect(database.filter((d) => d.where === "trading_accounts.pin_enc")).toHaveLength(2);
    expect(database.filter((d) => d.where === "trading_accounts.totp_secret_enc")).toHaveLength(1);
    expect(database.some((d) => d.where === "audit_logs.action" && d.value === "account.session_renewed")).toBe(true);
    expect(redisValues.some((r) => ids.some((id) => r.value.includes(id)))).toBe(true);

    const places = [
      ...seen.map((value, i) => ({ where: `response ${i}`, value })),
      ...logLines.map((value, i) => ({ where: `log line ${i}`, value })),
      ...database,
      ...redisValues,
      ...jobs,
    ];
    for (const [what, secret] of secrets) expect(placesOf(secret, places), what).toEqual([]);
    // The search would see the PIN where it is typed: the request body that linked the account.
    expect(pinIn(JSON.stringify({ pin: PIN }))).toBe(true);
    expect(places.filter((p) => pinIn(p.value)).map((p) => p.where)).toEqual([]);
    expect(places.filter((p) => standsIn(p.value, ANGEL_PIN)).map((p) => p.where)).toEqual([]);
    expect(codes.size).toBeGreaterThanOrEqual(3);
    expect(standsIn(JSON.stringify({ totp: [...codes][0] }), [...codes][0])).toBe(true);
    for (const code of codes)
      expect(
        places.filter((p) => standsIn(p.value, code)).map((p) => p.where),
        `TOTP ${code}`,
      ).toEqual([]);
  });
});
