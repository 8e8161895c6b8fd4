/**
 * Automatic session renewal end to end against the simulator's Fyers front-end: a Fyers account linked with the
 * trader's PIN, logged in through MirrorDesk's routes; the day ends (the simulator's clock past the expiry); the
 * renewal job, run by a real BullMQ worker on the accounts queue, renews the session from the refresh token and the
 * PIN, and the account is green again. A PIN the broker refuses leaves the account red with the reason and the login
 * link, and is not sent again; an account without a PIN is left to the morning login, with nothing sent. An Angel One
 * account with its PIN and TOTP seed starts the next day by itself through the password login (its own simulator,
 * whose clock follows the wall clock once the day has ended, as a broker's does: the TOTP is made from this server's
 * clock); a seed Angel refuses leaves it red and is not sent again.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { PATCH as patchRoute } from "@/app/api/accounts/[id]/route";
import { POST as createRoute } from "@/app/api/accounts/route";
import { GET as readinessRoute } from "@/app/api/readiness/route";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { ACCOUNTS_QUEUE, accountsQueue } from "@/lib/queues/accounts";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import {
  countNativeRequests,
  DIRECT_BROKERS,
  directAccountBody,
  directInstance,
  loginThroughRoutes,
  startDirectSim,
} from "@/lib/testing/broker-login-kit";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { startQueueWorker } from "@/lib/testing/queue-worker";
import { waitFor } from "@/lib/testing/wait";
import { unpackSideTokens } from "@/lib/brokers/angel/session-tokens";
import type { OrderUpdate } from "@/lib/brokers/types";
import { adapterFor, encryptPin, forgetAdapter, readDirectSecrets } from "@/lib/services/broker-access";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { runReadinessCheck, type ReadinessBoardJson } from "@/lib/services/readiness";
import { renewBrokerSessions, type RenewalSummary } from "@/lib/services/accounts";
import { processAccountsJob } from "./accounts";

const FYERS = DIRECT_BROKERS.find((b) => b.kind === "fyers")!;
const ANGEL = DIRECT_BROKERS.find((b) => b.kind === "angel")!;
const INST = directInstance(FYERS, "renew");
const ANGEL_INST = directInstance(ANGEL, "renew");
let sim: RunningSimulator;
let angelSim: RunningSimulator;
let requests: ReturnType<typeof countNativeRequests>;
let angelRequests: ReturnType<typeof countNativeRequests>;

beforeAll(async () => {
  sim = await startDirectSim([INST]);
  requests = countNativeRequests(sim);
  // Every call its own second for Angel's per-second limits (one password login a second): the refused and the
  // accepted logins below may follow each other faster than that.
  let rateClock = 0;
  angelSim = await startDirectSim([ANGEL_INST], { rateLimitNow: () => (rateClock += 1_000) });
  angelRequests = countNativeRequests(angelSim);
});
beforeEach(resetState);
afterAll(async () => {
  requests.restore();
  angelRequests.restore();
  await sim.close();
  await angelSim.close();
  await closeConnections();
});

const rowOf = (id: string) => db().tradingAccount.findUniqueOrThrow({ where: { id } });

/** Links the Fyers account through the accounts API, with `pin` typed on the form when given, and logs it in. */
async function linkedAndLoggedIn(pin?: string) {
  const cookie = await sessionCookie(await makeUser("TRADER"));
  const body = { ...directAccountBody(sim, FYERS, INST), ...(pin === undefined ? {} : { pin }) };
  const res = await createRoute(jsonRequest("/api/accounts", { body, cookie }));
  const text = await res.text();
  expect(res.status, text).toBe(201);
  expect(text).not.toMatch(/"pin(Enc)?"/);
  const id = (JSON.parse(text) as { account: { id: string } }).account.id;
  const login = await loginThroughRoutes(cookie, id, FYERS);
  expect(login.finished.headers.get("location")).toContain(`loggedIn=${id}`);
  return { cookie, id };
}

/**
 * The day ends: the simulator's clock moves past the session's expiry (the broker refuses the old token), and the
 * stored expiry is set a minute back, as if this server's wall clock had reached it (adapters judge expiry by it).
 */
async function endTheDay(id: string) {
  const row = await rowOf(id);
  sim.market.clock.set(Math.max(sim.market.clock.now(), row.sessionExpiresAt!.getTime()) + 60_000);
  await db().tradingAccount.update({ where: { id }, data: { sessionExpiresAt: new Date(Date.now() - 60_000) } });
  return row;
}

/** One renewal job through the accounts queue, as the worker's scheduler runs it; its summary. */
async function runRenewalJob(tag: string): Promise<RenewalSummary> {
  const worker = await startQueueWorker(ACCOUNTS_QUEUE, processAccountsJob);
  try {
    const jobId = `renew_test_${tag}_${Date.now()}`;
    await accountsQueue().add("renew-sessions", {}, { jobId, removeOnComplete: false, removeOnFail: false });
    const job = await waitFor(
      `renewal job ${tag}`,
      async () => accountsQueue().getJob(jobId),
      (j) => j?.finishedOn !== undefined,
    );
    expect(worker.errors).toEqual([]);
    return job!.returnvalue as RenewalSummary;
  } finally {
    await worker.close();
  }
}

async function readinessSession(cookie: string, accountId: string) {
  await runReadinessCheck({ accountIds: [accountId], trigger: "manual" }, { feedWaitMs: 100, clockProbes: 1 });
  const board = (await (await readinessRoute(jsonRequest("/api/readiness", { cookie }))).json()) as ReadinessBoardJson;
  const session = board.accounts
    .find((a) => a.accountId === accountId)
    ?.check?.items.find((i) => i.check === "session");
  if (!session) throw new Error(`No session check on the board: ${JSON.stringify(board)}`);
  return session;
}

it("renews an ended Fyers session with the refresh token and the stored PIN: green again, new token stored encrypted", async () => {
  const { cookie, id } = await linkedAndLoggedIn("4321");
  const linked = await rowOf(id);
  expect(linked.pinEnc).toEqual(expect.any(String));
  expect(linked.pinEnc).not.toContain("4321");
  expect(readDirectSecrets(env().CREDENTIAL_KEYS, linked).pin).toBe("4321");

  const old = await endTheDay(id);
  const oldToken = readDirectSecrets(env().CREDENTIAL_KEYS, old).session!.accessToken;
  expect(await readinessSession(cookie, id)).toMatchObject({
    status: "RED",
    detail: expect.stringMatching(/^The broker session has expired/),
  });

  expect(await runRenewalJob("ok")).toEqual({ renewed: 1, refused: 0, skipped: 0 });
  const renewed = await rowOf(id);
  expect(renewed.sessionExpiresAt!.getTime()).toBeGreaterThan(Date.now());
  expect(renewed.sessionRenewalError).toBeNull();
  const tokens = readDirectSecrets(env().CREDENTIAL_KEYS, renewed).session!;
  expect(tokens.accessToken).not.toBe(oldToken);
  expect(tokens.accessToken.length).toBeGreaterThan(8);
  expect(renewed.sessionEnc).not.toContain(tokens.accessToken);
  expect(renewed).toMatchObject({ status: "CONNECTED", lastError: null });
  expect(await readinessSession(cookie, id)).toMatchObject({ status: "GREEN" });
  // Nothing left to renew: a second run does nothing.
  expect(await runRenewalJob("again")).toEqual({ renewed: 0, refused: 0, skipped: 0 });
  const audit = await db().auditLog.findMany({ where: { entityId: id, action: "account.session_renewed" } });
  expect(audit).toHaveLength(1);
  expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(tokens.accessToken);
});

it("a PIN the broker refuses leaves the account red with the reason and the login link, and is not sent again", async () => {
  const { cookie, id } = await linkedAndLoggedIn("4321");
  // The simulator takes any 4-digit PIN as the trader's, so the wrong one is one of another shape, stored as a
  // PIN is (the form would refuse it).
  await db().tradingAccount.update({
    where: { id },
    data: { pinEnc: encryptPin(env().CREDENTIAL_KEYS, id, "43210") },
  });
  const old = await endTheDay(id);

  expect(await runRenewalJob("wrong")).toEqual({ renewed: 0, refused: 1, skipped: 0 });
  const refused = await rowOf(id);
  expect(refused.sessionRenewalError).toMatch(/Fyers refused the session renewal: Invalid PIN/);
  expect(refused.sessionEnc).toBe(old.sessionEnc);
  expect(refused.sessionExpiresAt!.getTime()).toBeLessThan(Date.now());
  const session = await readinessSession(cookie, id);
  expect(session.status).toBe("RED");
  expect(session.detail).toMatch(/session has expired.*Automatic renewal failed: Fyers refused the session renewal/);
  expect(session.fix).toContain("Log in");

  const sent = requests.of(FYERS);
  expect(await runRenewalJob("wrong-again")).toEqual({ renewed: 0, refused: 0, skipped: 0 });
  expect(requests.of(FYERS)).toBe(sent);

  // A new login clears the refusal: the next renewal may try again.
  await loginThroughRoutes(cookie, id, FYERS);
  expect((await rowOf(id)).sessionRenewalError).toBeNull();
});

it("an account without a stored PIN is left to the morning login: nothing is sent, nothing recorded", async () => {
  const { cookie, id } = await linkedAndLoggedIn();
  expect((await rowOf(id)).pinEnc).toBeNull();
  await endTheDay(id);
  const sent = requests.of(FYERS);
  expect(await runRenewalJob("nopin")).toEqual({ renewed: 0, refused: 0, skipped: 1 });
  expect(requests.of(FYERS)).toBe(sent);
  expect((await rowOf(id)).sessionRenewalError).toBeNull();
  expect(await readinessSession(cookie, id)).toMatchObject({
    status: "RED",
    detail: expect.stringMatching(/^The broker session has expired/),
  });
});

/** The Angel trader's PIN and seed, as the simulator holds them (what the trader copies from Angel One). */
const angelSecrets = () => {
  const inst = angelSim.broker.instance(ANGEL_INST.id)!;
  return { pin: inst.pin, totpSecret: inst.totpSecret };
};
const nextIstMidnight = (now: number) => istInstant(addDays(istDateOf(now), 1), "00:00");

/**
 * Links the Angel account with `secrets` typed on the form and logs it in through the publisher login "yesterday"
 * (the simulator's clock a day back), so that at the wall clock's now that session has ended at Angel too.
 */
async function angelLinkedYesterday(secrets: { pin: string; totpSecret: string }) {
  angelSim.market.clock.setMode("fixed");
  angelSim.market.clock.set(Date.now() - 24 * 3_600_000);
  const cookie = await sessionCookie(await makeUser("TRADER"));
  const body = { ...directAccountBody(angelSim, ANGEL, ANGEL_INST), ...secrets };
  const res = await createRoute(jsonRequest("/api/accounts", { body, cookie }));
  const text = await res.text();
  expect(res.status, text).toBe(201);
  for (const secret of Object.values(secrets)) expect(text).not.toContain(secret.replace(/\s/g, "").toUpperCase());
  expect(text).not.toMatch(/"(pin|totpSecret)(Enc)?"/);
  const id = (JSON.parse(text) as { account: { id: string } }).account.id;
  await loginThroughRoutes(cookie, id, ANGEL);
  return { cookie, id };
}

/** Midnight IST has passed: Angel's clock is this server's from here on; the stored expiry is a minute ago. */
async function angelDayEnds(id: string) {
  angelSim.market.clock.set(Date.now());
  angelSim.market.clock.setMode("realtime");
  await db().tradingAccount.update({ where: { id }, data: { sessionExpiresAt: new Date(Date.now() - 60_000) } });
  return rowOf(id);
}

it("an Angel One account with its PIN and TOTP seed logs itself in the next day: green, streams and orders work", async () => {
  const typed = angelSecrets();
  // Typed as Angel shows the seed: grouped and in lower case.
  const { cookie, id } = await angelLinkedYesterday({
    pin: typed.pin,
    totpSecret: typed.totpSecret.toLowerCase().replace(/(.{4})/g, "$1 "),
  });
  const linked = await rowOf(id);
  const stored = readDirectSecrets(env().CREDENTIAL_KEYS, linked);
  expect(stored).toMatchObject({ pin: typed.pin, totpSecret: typed.totpSecret });
  expect(`${linked.pinEnc} ${linked.totpSecretEnc}`).not.toContain(typed.totpSecret);

  const old = await angelDayEnds(id);
  const oldToken = readDirectSecrets(env().CREDENTIAL_KEYS, old).session!.accessToken;
  expect(await readinessSession(cookie, id)).toMatchObject({ status: "RED" });

  expect(await runRenewalJob("angel")).toEqual({ renewed: 1, refused: 0, skipped: 0 });
  const renewed = await rowOf(id);
  expect(renewed.sessionRenewalError).toBeNull();
  expect(renewed.sessionExpiresAt!.getTime()).toBe(nextIstMidnight(Date.now()));
  const tokens = readDirectSecrets(env().CREDENTIAL_KEYS, renewed).session!;
  expect(tokens.accessToken).not.toBe(oldToken);
  expect(renewed.sessionEnc).not.toContain(tokens.accessToken);
  expect(unpackSideTokens(tokens.refreshToken).feedToken).toEqual(expect.any(String));
  expect(await readinessSession(cookie, id)).toMatchObject({ status: "GREEN" });

  // The renewed session trades: an order placed is pushed back on the order-update stream.
  forgetAdapter(id);
  const adapter = adapterFor(renewed);
  const updates: OrderUpdate[] = [];
  const sub = await adapter.subscribeOrderUpdates!(
    (u) => updates.push(u),
    (e) => expect.unreachable(e.message),
  );
  try {
    const placed = await adapter.placeOrder({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 1,
      priceType: "MARKET",
      product: "MIS",
      strategy: "renewal-test",
    });
    expect(placed.kind).toBe("accepted");
    const orderId = (placed as { orderId: string }).orderId;
    await vi.waitFor(() => expect(updates.map((u) => u.orderId)).toContain(orderId), { timeout: 15_000 });
  } finally {
    await sub.close();
  }
  const audit = await db().auditLog.findMany({ where: { entityId: id } });
  const details = JSON.stringify(audit.map((a) => a.details));
  for (const secret of [typed.pin, typed.totpSecret, tokens.accessToken]) expect(details).not.toContain(secret);
});

it("an Angel session due before midnight IST is left alone: a login then would end at the same midnight", async () => {
  const { id } = await angelLinkedYesterday(angelSecrets());
  const evening = istInstant(istDateOf(Date.now()), "23:45");
  await db().tradingAccount.update({ where: { id }, data: { sessionExpiresAt: new Date(nextIstMidnight(evening)) } });
  const sent = angelRequests.of(ANGEL);
  expect(await renewBrokerSessions(new Date(evening))).toEqual({ renewed: 0, refused: 0, skipped: 1 });
  expect(angelRequests.of(ANGEL)).toBe(sent);
  expect((await rowOf(id)).sessionRenewalError).toBeNull();
});

it("a TOTP seed Angel refuses leaves the Angel account red with the reason and the login link, not sent again", async () => {
  const { cookie, id } = await angelLinkedYesterday({ ...angelSecrets(), totpSecret: "MFRGGZDFMZTWQ2LKNNWG23TPOA" });
  const old = await angelDayEnds(id);

  expect(await runRenewalJob("angel-wrong")).toEqual({ renewed: 0, refused: 1, skipped: 0 });
  const refused = await rowOf(id);
  expect(refused.sessionRenewalError).toMatch(/Angel One refused the login: Invalid totp \(AB1050\)/);
  expect(refused.sessionEnc).toBe(old.sessionEnc);
  const session = await readinessSession(cookie, id);
  expect(session.status).toBe("RED");
  expect(session.detail).toMatch(/session has expired.*Automatic renewal failed: Angel One refused the login/);
  expect(session.fix).toContain("Log in");

  const sent = angelRequests.of(ANGEL);
  expect(await runRenewalJob("angel-wrong-again")).toEqual({ renewed: 0, refused: 0, skipped: 0 });
  expect(angelRequests.of(ANGEL)).toBe(sent);

  // Blank fields on an edit keep what is stored; typing the right seed lets the next run log in.
  const edit = (body: object) =>
    patchRoute(jsonRequest(`/api/accounts/${id}`, { method: "PATCH", body, cookie }), paramsOf({ id }));
  expect((await edit({ pin: "", totpSecret: "" })).status).toBe(200);
  expect(await rowOf(id)).toMatchObject({ pinEnc: refused.pinEnc, totpSecretEnc: refused.totpSecretEnc });
  const res = await edit({ totpSecret: angelSecrets().totpSecret });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(text).not.toContain(angelSecrets().totpSecret);
  expect(await rowOf(id)).toMatchObject({ sessionRenewalError: null, pinEnc: refused.pinEnc });
  expect(await runRenewalJob("angel-right")).toEqual({ renewed: 1, refused: 0, skipped: 0 });
});

it("a TOTP secret that is not a base32 seed is refused by the accounts API with a 400 naming the field", async () => {
  const cookie = await sessionCookie(await makeUser("TRADER"));
  const body = { ...directAccountBody(angelSim, ANGEL, ANGEL_INST), pin: "1234", totpSecret: "123456" };
  const res = await createRoute(jsonRequest("/api/accounts", { body, cookie }));
  const text = await res.text();
  expect(res.status, text).toBe(400);
  const { error } = JSON.parse(text) as { error: { fields?: object } };
  expect(Object.keys(error.fields ?? {})).toEqual(["totpSecret"]);
  expect(text).not.toContain("123456");
  expect(await db().tradingAccount.count()).toBe(0);
});
