/**
 * Angel One's password login through the connector, against the simulator's Angel front-end: the session it yields is
 * the one a publisher login yields (JWT for the API, feed token and client code for the streams), refusals are
 * BrokerAuthErrors carrying Angel's code, and a malformed PIN or seed is refused before anything is sent. The simulated
 * clock is fixed and moved by setting it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { LoginRequiredError, type LoginApp } from "@/lib/brokers/login";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { BrokerAuthError, ValidationError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { type AngelWorld, angelRequests, loginAngel, startAngelWorld } from "@/lib/testing/angel-kit";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { createAngelAdapter } from "./adapter";
import { angelPasswordLogin } from "./login";
import { streamSession, unpackSideTokens } from "./session-tokens";

let world: AngelWorld;
let app: LoginApp;
const adapters: BrokerAdapter[] = [];

beforeAll(async () => {
  world = await startAngelWorld("angpwd");
  const inst = world.sim.broker.instance("angpwd")!;
  // As the trader types them: the client id in capitals, the seed as Angel shows it.
  app = { ...world.app, clientId: "ANGPWD", pin: inst.pin, totpSecret: inst.totpSecret };
});
afterAll(async () => {
  for (const a of adapters) await a.close();
  await world?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

function adapterWith(session: Awaited<ReturnType<typeof angelPasswordLogin>>): BrokerAdapter {
  const a = createAngelAdapter(
    { accountId: "angel-pwd", hostUrl: app.hostUrl, apiKey: app.apiKey, clientId: app.clientId, session },
    { gate: world.gate, now: world.now, limits: { otherPerSecond: 1 } },
  );
  adapters.push(a);
  return a;
}

const nextMidnightIst = (now: number) => istInstant(addDays(istDateOf(now), 1), "00:00");

it("yields the day's session like the publisher login: the API answers, the streams have their feed token", async () => {
  const session = await angelPasswordLogin(app, { now: world.now });
  expect(session.expiresAt.getTime()).toBe(nextMidnightIst(world.now()));
  expect(session.brokerUserId).toBe("ANGPWD");
  expect(unpackSideTokens(session.refreshToken)).toEqual({
    refreshToken: expect.stringMatching(/^eyJ/),
    feedToken: expect.stringMatching(/^eyJ/),
  });
  expect(streamSession(session, app.clientId, world.now())).toMatchObject({ jwt: session.accessToken });
  const funds = await adapterWith(session).funds();
  expect(funds.cash.toNumber()).toBeGreaterThan(0);
  // The same shape as a publisher login's.
  const redirect = await loginAngel(world);
  expect(Object.keys(unpackSideTokens(redirect.refreshToken)).sort()).toEqual(
    Object.keys(unpackSideTokens(session.refreshToken)).sort(),
  );
});

it("starts the next day without the trader: past midnight IST the old session is refused, a new login works", async () => {
  const old = await angelPasswordLogin(app, { now: world.now });
  world.sim.market.clock.set(old.expiresAt.getTime() + 6 * 3_600_000);
  await expect(adapterWith(old).funds()).rejects.toBeInstanceOf(LoginRequiredError);
  const fresh = await angelPasswordLogin(app, { now: world.now });
  expect(fresh.expiresAt.getTime()).toBe(nextMidnightIst(world.now()));
  expect(fresh.accessToken).not.toBe(old.accessToken);
  await expect(adapterWith(fresh).funds()).resolves.toBeDefined();
});

it("a wrong PIN or another seed is Angel's refusal (BrokerAuthError with its code), without the secrets", async () => {
  const wrongPin = String((Number(app.pin) + 1) % 10_000).padStart(4, "0");
  const e1 = await angelPasswordLogin({ ...app, pin: wrongPin }, { now: world.now }).catch((e: unknown) => e);
  expect(e1).toBeInstanceOf(BrokerAuthError);
  expect((e1 as Error).message).toMatch(/Angel One refused the login: .*\(AB1007\)/);
  const otherSeed = "MFRGGZDFMZTWQ2LKNNWG23TPOA";
  const e2 = await angelPasswordLogin({ ...app, totpSecret: otherSeed }, { now: world.now }).catch((e: unknown) => e);
  expect(e2).toBeInstanceOf(BrokerAuthError);
  expect((e2 as Error).message).toMatch(/Invalid totp \(AB1050\)/);
  for (const e of [e1, e2]) {
    const text = `${(e as Error).message} ${JSON.stringify(e)}`;
    for (const secret of [app.pin!, wrongPin, app.totpSecret!, otherSeed, app.apiKey])
      expect(text).not.toContain(secret);
  }
});

it("refuses a missing PIN, a malformed seed or no client id before sending anything", async () => {
  const sent = angelRequests(world);
  const cases: [Partial<LoginApp>, string][] = [
    [{ pin: undefined }, "pin"],
    [{ pin: "12345" }, "pin"],
    [{ totpSecret: "not-base32-1" }, "totpSecret"],
    [{ totpSecret: undefined }, "totpSecret"],
    [{ clientId: undefined }, "clientId"],
  ];
  for (const [change, field] of cases) {
    const e = await angelPasswordLogin({ ...app, ...change }, { now: world.now }).catch((x: unknown) => x);
    expect(e, field).toBeInstanceOf(ValidationError);
    expect(Object.keys((e as ValidationError).fields ?? {}), field).toEqual([field]);
  }
  expect(angelRequests(world)).toBe(sent);
});
