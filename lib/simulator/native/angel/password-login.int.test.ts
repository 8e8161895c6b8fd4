/**
 * The simulated SmartAPI password login over raw HTTP (docs/brokers/angel.md "Password login"): the client code, the
 * trader's PIN and a TOTP of the instance's seed on the simulated clock. The clock is fixed and moved through the
 * control API, so "one step old" and "two steps old" are exact, never a race with the wall clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { totpAt } from "@/lib/crypto/totp";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";

const API_KEY = "pwd-key-0001";
const ADMIN = "pwd-admin";
const PIN = "4826";
const SEED = "MFRGGZDFMZTWQ2LKNNWG23TPOA";
let sim: RunningSimulator;
let base = "";
let rateNow = 0;

const headers = (apiKey = API_KEY) => ({
  "Content-Type": "application/json",
  Accept: "application/json",
  "X-UserType": "USER",
  "X-SourceID": "WEB",
  "X-PrivateKey": apiKey,
  "X-ClientLocalIP": "127.0.0.1",
  "X-ClientPublicIP": "127.0.0.1",
  "X-MACAddress": "00:00:00:00:00:00",
});

async function login(body: Record<string, string>, apiKey?: string) {
  const res = await fetch(`${base}/rest/auth/angelbroking/user/v1/loginByPassword`, {
    method: "POST",
    headers: headers(apiKey),
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function control(path: string, body: unknown) {
  const res = await fetch(`${sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

const now = () => sim.market.clock.now();
const refused = (errorcode: string, message: string) => ({ status: false, errorcode, message, data: null });

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 7,
    clock: { mode: "fixed", startAt: Date.parse("2026-12-07T04:00:10Z") },
    alwaysOpen: true,
    // Each login below is its own second for the 1-per-second limit.
    rateLimitNow: () => (rateNow += 1_000),
    instances: [
      { id: "pwd1", apiKey: API_KEY, capital: "1000000", pin: PIN, totpSecret: SEED.toLowerCase() },
      { id: "pwd2", apiKey: "pwd-key-0002", capital: "1000000" },
    ],
  });
  base = `${sim.httpUrl}/angel`;
});
beforeEach(async () => {
  expect((await control("/clock", { set: "2026-12-07T04:00:10Z" })).status).toBe(200);
});
afterAll(() => sim.close());

it("answers the day's session for the client code, PIN and current TOTP; its JWT opens the secure API", async () => {
  const r = await login({ clientcode: "PWD1", password: PIN, totp: totpAt(SEED, now()) });
  expect(r.status).toBe(200);
  expect(r.json).toMatchObject({ status: true, message: "SUCCESS", errorcode: "" });
  const data = r.json.data as Record<string, string>;
  expect(Object.keys(data).sort()).toEqual(["feedToken", "jwtToken", "refreshToken"]);
  const profile = await fetch(`${base}/rest/secure/angelbroking/user/v1/getProfile`, {
    headers: { ...headers(), Authorization: `Bearer ${data.jwtToken}` },
  });
  expect(((await profile.json()) as { data: { clientcode: string } }).data.clientcode).toBe("pwd1");
  // The seed as the instance keeps it: base32 upper case, what a trader copies from the broker.
  expect(sim.broker.instance("pwd1")).toMatchObject({ pin: PIN, totpSecret: SEED });
});

it("refuses a wrong PIN and an unknown client code with AB1007, a wrong TOTP with AB1050", async () => {
  const totp = totpAt(SEED, now());
  expect((await login({ clientcode: "PWD1", password: "4827", totp })).json).toEqual(
    refused("AB1007", "YOUR USER ID OR PASSWORD IS INVALID"),
  );
  expect((await login({ clientcode: "NOSUCH", password: PIN, totp })).json).toEqual(
    refused("AB1007", "YOUR USER ID OR PASSWORD IS INVALID"),
  );
  const wrong = String((Number(totp) + 1) % 1_000_000).padStart(6, "0");
  expect((await login({ clientcode: "PWD1", password: PIN, totp: wrong })).json).toEqual(
    refused("AB1050", "Invalid totp"),
  );
  // Another instance's seed is another trader's authenticator.
  const other = sim.broker.instance("pwd2")!;
  expect(other.totpSecret).not.toBe(SEED);
  expect((await login({ clientcode: "PWD1", password: PIN, totp: totpAt(other.totpSecret, now()) })).json).toEqual(
    refused("AB1050", "Invalid totp"),
  );
  // The right secrets under another trader's app key: the gateway refuses the key.
  const r = await login({ clientcode: "PWD1", password: PIN, totp }, "pwd-key-0002");
  expect(r).toMatchObject({ status: 401, json: { success: false, errorCode: "AG8004" } });
});

it("accepts a TOTP one step old and refuses one two steps old, on the simulated clock", async () => {
  const code = totpAt(SEED, now());
  expect((await control("/clock", { advanceMs: 30_000 })).status).toBe(200);
  expect((await login({ clientcode: "pwd1", password: PIN, totp: code })).json).toMatchObject({ status: true });
  expect((await control("/clock", { advanceMs: 30_000 })).status).toBe(200);
  expect((await login({ clientcode: "pwd1", password: PIN, totp: code })).json).toEqual(
    refused("AB1050", "Invalid totp"),
  );
  expect((await login({ clientcode: "pwd1", password: PIN, totp: totpAt(SEED, now()) })).json).toMatchObject({
    status: true,
  });
});

it("derives a default PIN and seed per instance, and refuses a bad seed on the control API", async () => {
  const inst = sim.broker.instance("pwd2")!;
  expect(inst.pin).toMatch(/^\d{4}$/);
  expect(inst.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
  const r = await login(
    { clientcode: "pwd2", password: inst.pin, totp: totpAt(inst.totpSecret, now()) },
    "pwd-key-0002",
  );
  expect(r.json).toMatchObject({ status: true });
  const bad = await control("/instances", { id: "pwd3", apiKey: "k3", capital: 1000, totpSecret: "not base32!" });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain("totpSecret");
});
