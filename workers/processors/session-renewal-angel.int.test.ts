/**
 * Angel One's automatic daily login end to end: an Angel account linked with the trader's PIN and TOTP seed through
 * the accounts API and logged in through the publisher login "yesterday" (the simulator's clock a day back); midnight
 * IST passes (the simulator's clock then follows the wall clock, as a broker's does: the TOTP is made from this
 * server's clock); the renewal job, run by a real BullMQ worker on the accounts queue, logs in by password and the
 * account is green, trades and streams. A seed Angel refuses leaves it red with the reason and is not sent again
 * until the seed is edited; a malformed seed is refused by the API.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { PATCH as patchRoute } from "@/app/api/accounts/[id]/route";
import { POST as createRoute } from "@/app/api/accounts/route";
import { unpackSideTokens } from "@/lib/brokers/angel/session-tokens";
import type { OrderUpdate } from "@/lib/brokers/types";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { renewBrokerSessions } from "@/lib/services/accounts";
import { adapterFor, forgetAdapter, readDirectSecrets } from "@/lib/services/broker-access";
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
import { readinessSession, runRenewalJob as runJob } from "@/lib/testing/renewal-kit";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { processAccountsJob } from "./accounts";

const ANGEL = DIRECT_BROKERS.find((b) => b.kind === "angel")!;
const ANGEL_INST = directInstance(ANGEL, "renew");
let angelSim: RunningSimulator;
let angelRequests: ReturnType<typeof countNativeRequests>;

beforeAll(async () => {
  // Every call its own second for Angel's per-second limits (one password login a second): the refused and the
  // accepted logins below may follow each other faster than that.
  let rateClock = 0;
  angelSim = await startDirectSim([ANGEL_INST], { rateLimitNow: () => (rateClock += 1_000) });
  angelRequests = countNativeRequests(angelSim);
});
beforeEach(resetState);
afterAll(async () => {
  angelRequests.restore();
  await angelSim.close();
  await closeConnections();
});

const rowOf = (id: string) => db().tradingAccount.findUniqueOrThrow({ where: { id } });
/** One renewal job through the accounts queue; its summary. */
const runRenewalJob = (tag: string) => runJob(processAccountsJob, tag);

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
