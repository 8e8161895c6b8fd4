/**
 * Automatic session renewal end to end against the simulator's Fyers front-end: a Fyers account linked with the
 * trader's PIN, logged in through MirrorDesk's routes; the day ends (the simulator's clock past the expiry); the
 * renewal job, run by a real BullMQ worker on the accounts queue, renews the session from the refresh token and the
 * PIN, and the account is green again. A PIN the broker refuses leaves the account red with the reason and the login
 * link, and is not sent again; an account without a PIN is left to the morning login, with nothing sent. Angel One's
 * renewal (a password login) is tested in ./session-renewal-angel.int.test.ts.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/accounts/route";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import {
  countNativeRequests,
  DIRECT_BROKERS,
  directAccountBody,
  directInstance,
  loginThroughRoutes,
  startDirectSim,
} from "@/lib/testing/broker-login-kit";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { readinessSession, runRenewalJob as runJob } from "@/lib/testing/renewal-kit";
import { encryptPin, readDirectSecrets } from "@/lib/services/broker-access";
import { processAccountsJob } from "./accounts";

const FYERS = DIRECT_BROKERS.find((b) => b.kind === "fyers")!;
const INST = directInstance(FYERS, "renew");
let sim: RunningSimulator;
let requests: ReturnType<typeof countNativeRequests>;

beforeAll(async () => {
  sim = await startDirectSim([INST]);
  requests = countNativeRequests(sim);
});
beforeEach(resetState);
afterAll(async () => {
  requests.restore();
  await sim.close();
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

/** One renewal job through the accounts queue; its summary. */
const runRenewalJob = (tag: string) => runJob(processAccountsJob, tag);

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
