import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { POST as createRoute } from "@/app/api/accounts/route";
import { POST as testRoute } from "@/app/api/accounts/test/route";
import { PATCH as patchRoute } from "@/app/api/accounts/[id]/route";
import { GET as accountBookRoute } from "@/app/api/accounts/[id]/books/[book]/route";
import {
  decryptApiKey,
  encryptApiKey,
  encryptApiSecret,
  encryptSession,
  readDirectSecrets,
  rotateRow,
} from "@/lib/services/broker-access";
import { newKeyEntry, parseKeyRing } from "@/lib/crypto/credentials";

/** A stand-in for any other host on the network: records what reaches it and answers with a canned page. */
interface Capture {
  url: string;
  requests: { url: string; body: string }[];
  answer: { status: number; body: string };
  server: Server;
}

function startCapture(): Promise<Capture> {
  const capture = {
    url: "",
    requests: [],
    answer: { status: 200, body: "<html>INTERNAL-ADMIN-PAGE secret=hunter2</html>" },
  } as unknown as Capture;
  capture.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      capture.requests.push({ url: req.url ?? "", body });
      res.writeHead(capture.answer.status, { "content-type": "text/html" });
      res.end(capture.answer.body);
    });
  });
  return new Promise((resolve) =>
    capture.server.listen(0, "127.0.0.1", () => {
      capture.url = `http://127.0.0.1:${(capture.server.address() as AddressInfo).port}`;
      resolve(capture);
    }),
  );
}

let sim: RunningSimulator;
let capture: Capture;
const [A1, A2] = instanceConfigs(2);

beforeAll(async () => {
  sim = await startSim([A1, A2]);
  capture = await startCapture();
});
beforeEach(async () => {
  await resetState();
  capture.requests.length = 0;
  capture.answer = { status: 200, body: "<html>INTERNAL-ADMIN-PAGE secret=hunter2</html>" };
});
afterAll(async () => {
  await new Promise((r) => capture.server.close(r));
  await sim.close();
  await closeConnections();
});

const form = (inst: typeof A1, extra: Record<string, unknown> = {}) => ({
  name: `Acct ${inst.id}`,
  hostUrl: hostOf(sim, inst.id),
  wsUrl: sim.wsUrl,
  apiKey: inst.apiKey,
  ...extra,
});

async function link(cookie: string, inst: typeof A1, extra: Record<string, unknown> = {}) {
  const res = await createRoute(jsonRequest("/api/accounts", { body: form(inst, extra), cookie }));
  expect(res.status).toBe(201);
  return (await res.json()).account as { id: string; name: string };
}

const audits = (action: string) => db().auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });

describe("a stored API key stays with its host", () => {
  it("is never sent to a new host or WS URL: test and PATCH need the key typed again (400 naming apiKey)", async () => {
    const owner = await makeUser("TRADER");
    const cookie = await sessionCookie(owner);
    const acct = await link(cookie, A1);

    const probes = [
      { hostUrl: capture.url, wsUrl: sim.wsUrl },
      { hostUrl: hostOf(sim, A1.id), wsUrl: capture.url.replace("http", "ws") },
    ];
    for (const p of probes) {
      const res = await testRoute(jsonRequest("/api/accounts/test", { body: { ...p, accountId: acct.id }, cookie }));
      expect(res.status).toBe(400);
      expect(Object.keys((await res.json()).error.fields)).toEqual(["apiKey"]);
      const patch = await patchRoute(
        jsonRequest("/x", { method: "PATCH", body: p, cookie }),
        paramsOf({ id: acct.id }),
      );
      expect(patch.status).toBe(400);
      expect((await patch.json()).error.fields.apiKey[0]).toMatch(/host or WebSocket URL changes/);
    }
    expect(capture.requests).toEqual([]);
    const row = await db().tradingAccount.findUniqueOrThrow({ where: { id: acct.id } });
    expect([row.hostUrl, row.wsUrl]).toEqual([hostOf(sim, A1.id), sim.wsUrl]);

    // Its own host, spelled differently (trailing slash), is still its own host.
    const own = await testRoute(
      jsonRequest("/api/accounts/test", {
        body: { hostUrl: `${hostOf(sim, A1.id)}/`, wsUrl: sim.wsUrl, accountId: acct.id },
        cookie,
      }),
    );
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({
      ok: true,
      api: { ok: true, broker: expect.any(String) },
      ws: { ok: true },
    });
  });

  it("only its owner may test it: an admin gets 404 and nothing is sent", async () => {
    const owner = await makeUser("TRADER");
    const acct = await link(await sessionCookie(owner), A1);
    const admin = await sessionCookie(await makeUser("ADMIN"));
    const res = await testRoute(
      jsonRequest("/api/accounts/test", {
        body: { hostUrl: hostOf(sim, A1.id), wsUrl: sim.wsUrl, accountId: acct.id },
        cookie: admin,
      }),
    );
    expect(res.status).toBe(404);
    expect(await audits("account.connection_test")).toHaveLength(1); // the owner's own test while linking
  });

  it("every test is audited with its verdicts, and a foreign host's answer never comes back", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const cases: [{ status: number; body: string }, RegExp][] = [
      [
        { status: 200, body: "<html>INTERNAL-ADMIN-PAGE secret=hunter2</html>" },
        /answered, but not as an OpenAlgo server/,
      ],
      [{ status: 500, body: "Traceback: INTERNAL-ADMIN-PAGE secret=hunter2" }, /answered with a server error/],
      [
        { status: 404, body: '{"message":"INTERNAL-ADMIN-PAGE secret=hunter2"}' },
        /answered, but not as an OpenAlgo server/,
      ],
    ];
    for (const [answer, message] of cases) {
      capture.answer = answer;
      const res = await testRoute(
        jsonRequest("/api/accounts/test", {
          body: { hostUrl: capture.url, wsUrl: sim.wsUrl, apiKey: "some-typed-key-123" },
          cookie,
        }),
      );
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toContain("INTERNAL-ADMIN-PAGE");
      expect(text).not.toContain("hunter2");
      expect(JSON.parse(text).error.message).toMatch(message);
    }
    const rows = await audits("account.connection_test");
    expect(rows.map((r) => (r.details as { api: string }).api)).toEqual([
      "not_openalgo",
      "server_error",
      "not_openalgo",
    ]);
    expect(rows.every((r) => r.actorId === user.id)).toBe(true);
    const stored = JSON.stringify(rows.map((r) => r.details));
    expect(stored).not.toContain("hunter2");
    expect(stored).not.toContain("some-typed-key-123");
  });
});

describe("the WebSocket is tested too", () => {
  it("a dead or wrong WS URL is its own verdict: the test says so and linking is refused on wsUrl", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const deadWs = "ws://127.0.0.1:9";
    const wrongWs = sim.httpUrl.replace("http", "ws");
    const expected = [
      [deadWs, "unreachable"],
      [wrongWs, "not_openalgo"],
    ];
    for (const [wsUrl, reason] of expected) {
      const res = await testRoute(
        jsonRequest("/api/accounts/test", { body: { hostUrl: hostOf(sim, A1.id), wsUrl, apiKey: A1.apiKey }, cookie }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: false, api: { ok: true }, ws: { ok: false, reason } });
      const create = await createRoute(jsonRequest("/api/accounts", { body: form(A1, { wsUrl }), cookie }));
      expect(create.status).toBe(400);
      expect(Object.keys((await create.json()).error.fields)).toEqual(["wsUrl"]);
    }
    sim.broker.revokeSession(A1.id);
    try {
      const expired = await testRoute(jsonRequest("/api/accounts/test", { body: form(A1), cookie }));
      expect(expired.status).toBe(400);
      expect(Object.keys((await expired.json()).error.fields)).toEqual(["apiKey"]);
    } finally {
      sim.broker.login(A1.id);
    }
    expect(await db().tradingAccount.count()).toBe(0);
  });
});

describe("one broker account is linked once", () => {
  it("refuses the same host + key again, for the same owner and across owners, without naming the other owner", async () => {
    const owner = await makeUser("TRADER");
    const acct = await link(await sessionCookie(owner), A1);

    const again = await createRoute(
      jsonRequest("/api/accounts", { body: form(A1, { name: "Second name" }), cookie: await sessionCookie(owner) }),
    );
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toContain(`already linked as "${acct.name}"`);

    const other = await makeUser("TRADER");
    const respelled = `${hostOf(sim, A1.id).replace("http://", "HTTP://")}//`;
    const theirs = await createRoute(
      jsonRequest("/api/accounts", {
        body: form(A1, { hostUrl: respelled, name: "Mine" }),
        cookie: await sessionCookie(other),
      }),
    );
    expect(theirs.status).toBe(409);
    const text = await theirs.text();
    expect(JSON.parse(text).error.fields).toEqual({ apiKey: ["Already linked"] });
    for (const secret of [acct.name, owner.email, owner.name]) expect(text).not.toContain(secret);

    // Nor can another account be switched to that key.
    const second = await link(await sessionCookie(other), A2);
    const patch = await patchRoute(
      jsonRequest("/x", {
        method: "PATCH",
        body: { hostUrl: hostOf(sim, A1.id), apiKey: A1.apiKey },
        cookie: await sessionCookie(other),
      }),
      paramsOf({ id: second.id }),
    );
    expect(patch.status).toBe(409);
    expect(await db().tradingAccount.count()).toBe(2);
  });

  it("two owners linking the same account at the same moment: exactly one succeeds", async () => {
    const cookies = [await sessionCookie(await makeUser("TRADER")), await sessionCookie(await makeUser("TRADER"))];
    const results = await Promise.all(
      cookies.map((cookie) => createRoute(jsonRequest("/api/accounts", { body: form(A1), cookie }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect((await refused.json()).error.fields).toEqual({ apiKey: ["Already linked"] });
    expect(await db().tradingAccount.count()).toBe(1);
  });
});

describe("credentials bound to their row", () => {
  it("an encrypted key copied onto another account's row is unreadable there", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const a1 = await link(cookie, A1);
    const a2 = await link(cookie, A2);
    const { apiKeyEnc } = await db().tradingAccount.findUniqueOrThrow({ where: { id: a1.id } });
    await db().tradingAccount.update({ where: { id: a2.id }, data: { apiKeyEnc } });
    const res = await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a2.id, book: "funds" }));
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("CREDENTIAL_UNREADABLE");
  });

  it("rotation racing a key change loses nothing: the newer key stays", async () => {
    const v1 = newKeyEntry(1);
    const ring1 = parseKeyRing(v1);
    const v2 = newKeyEntry(2);
    const both = parseKeyRing(`${v1},${v2}`);
    const owner = await makeUser("TRADER");
    const id = (
      await db().tradingAccount.create({
        data: {
          ownerId: owner.id,
          name: "r",
          hostUrl: hostOf(sim, A1.id),
          wsUrl: sim.wsUrl,
          apiKeyEnc: "pending",
          apiKeyLast4: "0000",
        },
      })
    ).id;
    await db().tradingAccount.update({ where: { id }, data: { apiKeyEnc: encryptApiKey(ring1, id, "old-key-0001") } });
    // Rotation read the row ...
    const seen = await db().tradingAccount.findUniqueOrThrow({
      where: { id },
      select: { id: true, hostUrl: true, apiKeyEnc: true, credentialFingerprint: true },
    });
    // ... the user saved a new key meanwhile (a web process still on v1) ...
    await db().tradingAccount.update({ where: { id }, data: { apiKeyEnc: encryptApiKey(ring1, id, "new-key-0002") } });
    // ... and rotation's write of the old key must not land.
    expect(await rotateRow(both, seen)).toBe("changed");
    const row = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
    expect(decryptApiKey(both, id, row.apiKeyEnc)).toBe("new-key-0002");
    // The next pass rotates the new key.
    expect(await rotateRow(both, row)).toBe("rotated");
    const after = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
    expect(decryptApiKey(parseKeyRing(v2), id, after.apiKeyEnc)).toBe("new-key-0002");
  });

  it("rotation re-encrypts a direct account's app secret and session too, and a login in between wins", async () => {
    const v1 = newKeyEntry(1);
    const ring1 = parseKeyRing(v1);
    const v2 = newKeyEntry(2);
    const both = parseKeyRing(`${v1},${v2}`);
    const only2 = parseKeyRing(v2);
    const owner = await makeUser("TRADER");
    const session = {
      accessToken: "access-token-1",
      refreshToken: "refresh-1",
      expiresAt: new Date(Date.UTC(2030, 0, 1)),
    };
    const id = (
      await db().tradingAccount.create({
        data: {
          ownerId: owner.id,
          name: "d",
          hostUrl: "https://broker.example",
          wsUrl: "",
          apiKeyEnc: "p",
          apiKeyLast4: "0000",
        },
      })
    ).id;
    await db().tradingAccount.update({
      where: { id },
      data: {
        apiKeyEnc: encryptApiKey(ring1, id, "direct-key-0001"),
        apiSecretEnc: encryptApiSecret(ring1, id, "direct-secret-0001"),
        sessionEnc: encryptSession(ring1, id, session),
        sessionExpiresAt: session.expiresAt,
      },
    });
    const seen = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
    // A new login (a web process still on v1) lands between rotation's read and its write: the write must not.
    await db().tradingAccount.update({
      where: { id },
      data: { sessionEnc: encryptSession(ring1, id, { ...session, accessToken: "access-token-2" }) },
    });
    expect(await rotateRow(both, seen)).toBe("changed");
    const row = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
    expect(await rotateRow(both, row)).toBe("rotated");
    const after = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
    // Readable with v2 alone: v1 can be retired.
    expect(readDirectSecrets(only2, { ...after, name: "d" })).toEqual({
      apiSecret: "direct-secret-0001",
      session: { ...session, accessToken: "access-token-2", brokerUserId: undefined },
    });
    expect(decryptApiKey(only2, id, after.apiKeyEnc)).toBe("direct-key-0001");
    expect(await rotateRow(both, after)).toBe("current");
  });
});
