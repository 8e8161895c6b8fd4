import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { env } from "@/lib/env";
import { adapterFor, encryptApiKey, forgetAdapter } from "@/lib/services/broker-access";
import { POST as createRoute } from "@/app/api/accounts/route";
import { POST as testRoute } from "@/app/api/accounts/test/route";

// This file runs as an operator who turned private hosts off (each test file has its own, lazily parsed, environment).
process.env.BROKER_ALLOW_PRIVATE_HOSTS = "false";

let sim: RunningSimulator;
const [A1] = instanceConfigs(1);
let hits = 0;
const probe = createServer((_req, res) => {
  hits += 1;
  res.end("internal");
});

beforeAll(async () => {
  sim = await startSim([A1]);
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
});
beforeEach(resetState);
afterAll(async () => {
  await new Promise((r) => probe.close(r));
  await sim.close();
  await closeConnections();
});

describe("BROKER_ALLOW_PRIVATE_HOSTS=false", () => {
  it("refuses loopback hosts, by literal or by a name that resolves there, naming the field; nothing is contacted", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const port = (probe.address() as AddressInfo).port;
    const cases = [
      { hostUrl: `http://127.0.0.1:${port}`, wsUrl: sim.wsUrl, field: "hostUrl" },
      { hostUrl: `http://localhost:${port}/i/x`, wsUrl: sim.wsUrl, field: "hostUrl" },
      { hostUrl: hostOf(sim, A1.id).replace("127.0.0.1", "localhost"), wsUrl: sim.wsUrl, field: "hostUrl" },
    ];
    for (const { hostUrl, wsUrl, field } of cases) {
      const res = await testRoute(
        jsonRequest("/api/accounts/test", { body: { hostUrl, wsUrl, apiKey: A1.apiKey }, cookie }),
      );
      expect(res.status).toBe(400);
      const { error } = await res.json();
      expect(Object.keys(error.fields)).toEqual([field]);
      expect(error.message).toMatch(/does not allow \(BROKER_ALLOW_PRIVATE_HOSTS=false\)/);
    }
    const create = await createRoute(
      jsonRequest("/api/accounts", {
        body: { name: "x", hostUrl: hostOf(sim, A1.id), wsUrl: sim.wsUrl, apiKey: A1.apiKey },
        cookie,
      }),
    );
    expect(create.status).toBe(400);
    expect(hits).toBe(0);
    expect(sim.broker.instanceByKey(A1.apiKey)).toBeTruthy();
    expect(await db().tradingAccount.count()).toBe(0);
    const audited = await db().auditLog.findMany({ where: { action: "account.connection_test" } });
    expect(audited.map((r) => (r.details as { api: string }).api)).toEqual([
      "blocked_host",
      "blocked_host",
      "blocked_host",
      "blocked_host",
    ]);
  });
});

describe("saved accounts under BROKER_ALLOW_PRIVATE_HOSTS=false", () => {
  async function savedAccount(hostUrl: string, wsUrl: string) {
    const owner = await makeUser("TRADER");
    const id = randomUUID();
    const account = {
      id,
      name: "saved earlier",
      kind: "OPENALGO" as const,
      hostUrl,
      wsUrl,
      apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, A1.apiKey),
      orderRatePerSec: 10,
      otherRatePerSec: 10,
    };
    await db().tradingAccount.create({ data: { ...account, ownerId: owner.id, apiKeyLast4: "x" } });
    return account;
  }

  it("a host name that now resolves to a private address is not reached: API and WebSocket fail as unreachable", async () => {
    const account = await savedAccount(
      hostOf(sim, A1.id).replace("127.0.0.1", "localhost"),
      sim.wsUrl.replace("127.0.0.1", "localhost"),
    );
    const adapter = adapterFor(account);
    try {
      await expect(adapter.ping()).rejects.toMatchObject({ code: "BROKER_UNAVAILABLE", reason: "unreachable" });
      await expect(
        adapter.subscribeOrderUpdates!(
          () => undefined,
          () => undefined,
        ),
      ).rejects.toMatchObject({ code: "BROKER_UNAVAILABLE" });
    } finally {
      forgetAdapter(account.id);
    }
  });

  it("a private IP literal is refused before any connection", async () => {
    const account = await savedAccount(hostOf(sim, A1.id), sim.wsUrl);
    expect(() => adapterFor(account)).toThrow(/BROKER_ALLOW_PRIVATE_HOSTS=false/);
  });
});
