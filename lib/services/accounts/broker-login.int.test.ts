/**
 * The direct-broker login end to end through MirrorDesk's own routes, for every kind that has a login: link → "login
 * needed" → log in through the broker's page → books work → the session dies → nothing is sent, readiness says
 * "log in" → log in again. Plus the callback's refusals and who may start a login.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { SIM_ADMIN } from "@/lib/testing/simulator-instances";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import {
  arriveAtCallback,
  countNativeRequests,
  DIRECT_BROKERS,
  directInstance,
  linkDirect,
  loginThroughRoutes,
  startDirectSim,
  startLogin,
  stateCookieOf,
  submitLoginPage,
} from "@/lib/testing/broker-login-kit";
import { GET as accountBookRoute } from "@/app/api/accounts/[id]/books/[book]/route";
import { GET as accountRoute } from "@/app/api/accounts/[id]/route";
import { GET as readinessRoute } from "@/app/api/readiness/route";
import { readDirectSecrets } from "@/lib/services/broker-access";
import { runReadinessCheck, type ReadinessBoardJson } from "@/lib/services/readiness";
import { NOT_LOGGED_IN } from "./broker-login";
import { invalidateBooks } from "./books";

let sim: RunningSimulator;
let requests: ReturnType<typeof countNativeRequests>;
const INSTANCES = DIRECT_BROKERS.map((b) => directInstance(b));

beforeAll(async () => {
  sim = await startDirectSim(INSTANCES);
  requests = countNativeRequests(sim);
});
beforeEach(resetState);
afterAll(async () => {
  requests.restore();
  await sim.close();
  await closeConnections();
});

const instanceOf = (kind: string) => INSTANCES[DIRECT_BROKERS.findIndex((b) => b.kind === kind)];
const rowOf = (id: string) => db().tradingAccount.findUniqueOrThrow({ where: { id } });
const book = async (cookie: string, id: string, which: string) => {
  const res = await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id, book: which }));
  return { status: res.status, body: await res.text() };
};

/** Runs the readiness check of one account (the worker's job, in-process) and reads its Session item off the board. */
async function readinessSession(cookie: string, accountId: string) {
  await runReadinessCheck({ accountIds: [accountId], trigger: "manual" }, { feedWaitMs: 100, clockProbes: 1 });
  const board = (await (await readinessRoute(jsonRequest("/api/readiness", { cookie }))).json()) as ReadinessBoardJson;
  const items = board.accounts.find((a) => a.accountId === accountId)?.check?.items ?? [];
  const session = items.find((i) => i.check === "session");
  if (!session) throw new Error(`No session check on the board: ${JSON.stringify(board)}`);
  return session;
}

it("every direct kind of the registry is exercised", () => {
  expect(DIRECT_BROKERS.map((b) => b.kind)).toEqual(
    expect.arrayContaining(["zerodha", "upstox", "fyers", "dhan", "angel"]),
  );
});

it("a login whose session the broker states as already expired is refused, never stored as logged in", async () => {
  // The broker's clock three days behind ours: brokers that state the expiry themselves (in the token, or in the
  // answer, as Dhan does) give one already past here; those whose expiry the connector derives from our clock log in normally.
  const cookie = await sessionCookie(await makeUser("TRADER"));
  const ahead = sim.market.clock.now();
  sim.market.clock.set(Date.now() - 3 * 86_400_000);
  const refusedKinds: string[] = [];
  try {
    for (const entry of DIRECT_BROKERS) {
      const { account } = await linkDirect(cookie, sim, entry, instanceOf(entry.kind));
      const { finished } = await loginThroughRoutes(cookie, account.id, entry);
      const to = new URL(finished.headers.get("location")!);
      const row = await rowOf(account.id);
      if (to.searchParams.has("loginError")) {
        expect(to.searchParams.get("loginError")).toMatch(/already past its stated expiry/);
        expect(row).toMatchObject({ sessionEnc: null, sessionExpiresAt: null });
        refusedKinds.push(entry.kind);
      } else {
        expect(to.searchParams.get("loggedIn")).toBe(account.id);
        expect(row.sessionExpiresAt!.getTime()).toBeGreaterThan(Date.now());
      }
    }
  } finally {
    sim.market.clock.set(ahead);
  }
  // Dhan states the expiry in its answer, on its own clock.
  expect(refusedKinds).toContain("dhan");
});

describe.each(DIRECT_BROKERS.map((entry) => [entry.kind, entry] as const))("%s login", (kind, entry) => {
  it("links without a session, logs in through the broker's page, expires without sending, logs in again", async () => {
    const inst = instanceOf(kind);
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);

    const { account } = await linkDirect(cookie, sim, entry, inst);
    expect(account).toMatchObject({ status: "UNKNOWN", lastError: NOT_LOGGED_IN });
    expect(await rowOf(account.id)).toMatchObject({ sessionEnc: null, sessionExpiresAt: null });
    const before = await book(cookie, account.id, "funds");
    expect(before).toMatchObject({ status: 424, body: expect.stringMatching(/Not logged in to the broker/) });
    const unready = await readinessSession(cookie, account.id);
    expect(unready).toMatchObject({ status: "RED", detail: expect.stringMatching(/^Not logged in to the broker/) });
    expect(unready.fix).toContain("Log in");

    const first = await loginThroughRoutes(cookie, account.id, entry);
    expect(first.finished.status).toBe(303);
    expect(first.finished.headers.get("location")).toBe(
      `${new URL(env().APP_URL).origin}/accounts?loggedIn=${account.id}`,
    );
    const row = await rowOf(account.id);
    expect(row.sessionEnc).toEqual(expect.any(String));
    expect(row.sessionExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    // Tried once at login: connected at once, with the broker's name, not at the next health round.
    expect(row).toMatchObject({ status: "CONNECTED", lastError: null, brokerName: entry.kind });
    const { session: stored } = readDirectSecrets(env().CREDENTIAL_KEYS, row);
    expect(stored!.accessToken.length).toBeGreaterThan(8);
    expect(row.sessionEnc).not.toContain(stored!.accessToken);
    for (const [name, value] of first.callback.searchParams)
      if (name !== "state" && value.length >= 12) expect(row.sessionEnc).not.toContain(value);

    const funds = await book(cookie, account.id, "funds");
    expect(funds.status, funds.body).toBe(200);
    expect(JSON.parse(funds.body)).toMatchObject({ data: expect.objectContaining({}) });
    const positions = await book(cookie, account.id, "positions");
    expect(positions.status, positions.body).toBe(200);

    // The session dies. MirrorDesk judges expiry by its own wall clock (`requireSession`), which a test cannot move
    // for adapters that captured `Date.now`; so the stored expiry (the broker's statement) is set to a minute ago, as
    // if the wall clock had reached it, and the simulator's clock is moved past it too, ending the day at the broker.
    // The books read above (cached a few seconds) are dropped, as they would have aged out by then.
    sim.market.clock.set(Math.max(sim.market.clock.now(), row.sessionExpiresAt!.getTime()) + 60_000);
    await db().tradingAccount.update({
      where: { id: account.id },
      data: { sessionExpiresAt: new Date(Date.now() - 60_000) },
    });
    await invalidateBooks([account.id]);
    const sent = requests.of(entry);

    const session = await readinessSession(cookie, account.id);
    expect(session).toMatchObject({ status: "RED", detail: expect.stringMatching(/^The broker session has expired/) });
    expect(session.fix).toContain("Log in");
    const expired = await book(cookie, account.id, "funds");
    expect(expired.body).toMatch(/session has expired/);
    expect(requests.of(entry) - sent).toBe(0);

    // A new login on the simulator's (advanced) clock gives a session valid past the wall clock again.
    const again = await loginThroughRoutes(cookie, account.id, entry);
    expect(again.finished.headers.get("location")).toContain(`loggedIn=${account.id}`);
    const renewed = await rowOf(account.id);
    expect(renewed.sessionEnc).not.toBe(row.sessionEnc);
    expect(renewed.sessionExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    const back = await book(cookie, account.id, "funds");
    expect(back.status, back.body).toBe(200);
    expect(requests.of(entry)).toBeGreaterThan(sent);
  });

  it("a session the broker ends before its stated expiry: its own refusal, the Log in fix, and a new login repairs it", async () => {
    const inst = instanceOf(kind);
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const { account } = await linkDirect(cookie, sim, entry, inst);
    await loginThroughRoutes(cookie, account.id, entry);
    expect((await book(cookie, account.id, "funds")).status).toBe(200);

    // The trader logged in elsewhere, or the broker reset its sessions: the simulator ends the instance's tokens.
    const revoked = await fetch(`${sim.httpUrl}/_sim/instances/${inst.id}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${SIM_ADMIN}` },
    });
    expect(revoked.status).toBe(200);
    await invalidateBooks([account.id]);
    const refused = await book(cookie, account.id, "funds");
    expect(refused.status).toBe(424);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "BROKER_AUTH" } });
    const session = await readinessSession(cookie, account.id);
    expect(session).toMatchObject({ status: "RED", detail: expect.stringContaining("refused the session") });
    expect(session.fix).toContain("Log in");

    await loginThroughRoutes(cookie, account.id, entry);
    expect((await book(cookie, account.id, "funds")).status).toBe(200);
  });

  it("the callback refuses an unknown or used state, another user's state and another kind's path, storing nothing", async () => {
    const inst = instanceOf(kind);
    const [owner, other] = [await makeUser("TRADER"), await makeUser("TRADER")];
    const [cookie, otherCookie] = [await sessionCookie(owner), await sessionCookie(other)];
    const { account } = await linkDirect(cookie, sim, entry, inst);
    const path = entry.stored.toLowerCase();
    const refused = (res: Response) => {
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get("location")!);
      expect(to.pathname).toBe("/accounts");
      expect(to.searchParams.get("loginError")).toBeTruthy();
      expect(to.searchParams.has("loggedIn")).toBe(false);
    };
    const nothingStored = async () => expect(await rowOf(account.id)).toMatchObject({ sessionEnc: null });

    // A state nobody issued (in the query where the broker echoes one, and in the cookie).
    const start = await startLogin(cookie, account.id);
    const callback = (await submitLoginPage(((await start.json()) as { url: string }).url)).location;
    const forged = new URL(callback);
    if (forged.searchParams.has("state")) forged.searchParams.set("state", "forged-state-0123456789");
    refused(await arriveAtCallback(forged, path, `${cookie}; md_broker_login=forged-state-0123456789`));
    await nothingStored();

    // Another user's browser with the owner's callback and state cookie.
    const stateCookie = stateCookieOf(start);
    refused(await arriveAtCallback(callback, path, `${otherCookie}; ${stateCookie}`));
    await nothingStored();

    // Another kind's callback path with this kind's state.
    const second = await startLogin(cookie, account.id);
    const secondCallback = (await submitLoginPage(((await second.json()) as { url: string }).url)).location;
    const otherKind = DIRECT_BROKERS.find((b) => b.kind !== kind)!.stored.toLowerCase();
    refused(await arriveAtCallback(secondCallback, otherKind, `${cookie}; ${stateCookieOf(second)}`));
    await nothingStored();

    // A good login, then the same callback again: the state was spent.
    const good = await loginThroughRoutes(cookie, account.id, entry);
    expect(good.finished.headers.get("location")).toContain(`loggedIn=${account.id}`);
    const stored = await rowOf(account.id);
    refused(await arriveAtCallback(good.callback, path, good.cookies));
    expect((await rowOf(account.id)).sessionEnc).toBe(stored.sessionEnc);
  });

  it("only the owner may start a login: a viewer gets 403, another trader and an admin 404", async () => {
    const inst = instanceOf(kind);
    const owner = await makeUser("TRADER");
    const { account } = await linkDirect(await sessionCookie(owner), sim, entry, inst);
    const viewer = await startLogin(await sessionCookie(await makeUser("VIEWER")), account.id);
    expect(viewer.status).toBe(403);
    const stranger = await startLogin(await sessionCookie(await makeUser("TRADER")), account.id);
    expect(stranger.status).toBe(404);
    // A broker session is its owner's: to an admin, another's account has no login to start (the policy's 404).
    const admin = await startLogin(await sessionCookie(await makeUser("ADMIN")), account.id);
    expect(admin.status).toBe(404);
    expect(viewer.headers.get("set-cookie")).toBeNull();
    expect(stranger.headers.get("set-cookie")).toBeNull();
    const shown = await accountRoute(
      jsonRequest("/x", { cookie: await sessionCookie(owner) }),
      paramsOf({ id: account.id }),
    );
    expect(shown.status).toBe(200);
  });
});
