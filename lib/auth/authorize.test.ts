import { describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { allows, authorize, RULES, type Action } from "@/lib/auth/authorize";
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";

/**
 * ok: allowed; ro: 403 "Your role is read-only"; admin: 403 "Admins only"; key: 403 "This API key is read-only";
 * 404: out of reach (as if missing).
 */
type V = "ok" | "ro" | "admin" | "key" | "404";
type Row = [V, V, V, V, V, V, V];

/**
 * The whole matrix, written out by hand (not derived from RULES) so that a changed rule fails here. Columns, for a
 * resource owned by: ADMIN's own, another owner; TRADER's own, another owner; VIEWER's own, a trader the viewer is
 * attached to, another owner.
 */
const MATRIX: Record<Action, Row> = {
  //                      ADMIN own/other  TRADER own/other  VIEWER own/attached/other
  "app.read": ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
  "app.write": ["ok", "ok", "ok", "ok", "ro", "ro", "ro"],
  "app.administer": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "account.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "account.write": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "account.test": ["ok", "ok", "ok", "ok", "ro", "ro", "ro"],
  "account.testStoredKey": ["ok", "404", "ok", "404", "ro", "ro", "ro"],
  "account.brokerLogin": ["ok", "404", "ok", "404", "ro", "ro", "ro"],
  "order.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "strategy.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "copyGroup.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "strategy.write": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "webhook.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "copyGroup.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "run.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "run.execute": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "run.act": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "exit.request": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "risk.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "risk.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "calendar.read": ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
  "calendar.manage": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "notifications.manage": ["ok", "404", "ok", "404", "ok", "404", "404"],
  "readiness.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "readiness.run": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "alert.dismiss": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "killSwitch.engage": ["ok", "ok", "ok", "ok", "ro", "ro", "ro"],
  "killSwitch.engageAll": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "killSwitch.rearm": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "apiKey.manage": ["ok", "404", "ok", "404", "ok", "404", "404"],
  "apiKey.createTrade": ["ok", "404", "ok", "404", "ro", "ro", "ro"],
  "user.manage": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "settings.write": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "audit.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "system.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "metrics.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
};

/**
 * The same actors calling with a READ API key (same columns). The key refuses every action that is not a read, but
 * only once the role would allow it: the role is decided first, so a VIEWER still hears "Your role is read-only" and
 * a TRADER "Admins only". Reads keep their owner rule.
 */
const READ_KEY_MATRIX: Record<Action, Row> = {
  //                      ADMIN own/other  TRADER own/other  VIEWER own/attached/other
  "app.read": ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
  "app.write": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "app.administer": ["key", "key", "admin", "admin", "admin", "admin", "admin"],
  "account.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "account.write": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "account.test": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "account.testStoredKey": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "account.brokerLogin": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "order.manage": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "strategy.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "copyGroup.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "strategy.write": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "webhook.manage": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "copyGroup.manage": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "run.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "run.execute": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "run.act": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "exit.request": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "risk.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "risk.manage": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "calendar.read": ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
  "calendar.manage": ["key", "key", "admin", "admin", "admin", "admin", "admin"],
  "notifications.manage": ["ok", "404", "ok", "404", "ok", "404", "404"],
  "readiness.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "readiness.run": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "alert.dismiss": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "killSwitch.engage": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "killSwitch.engageAll": ["key", "key", "admin", "admin", "admin", "admin", "admin"],
  "killSwitch.rearm": ["key", "key", "admin", "admin", "admin", "admin", "admin"],
  "apiKey.manage": ["ok", "404", "ok", "404", "ok", "404", "404"],
  "apiKey.createTrade": ["key", "key", "key", "key", "ro", "ro", "ro"],
  "user.manage": ["key", "key", "admin", "admin", "admin", "admin", "admin"],
  "settings.write": ["key", "key", "admin", "admin", "admin", "admin", "admin"],
  "audit.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "system.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "metrics.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
};

/** The same actors calling with a TRADE key: the key adds nothing and takes nothing away from the role. */
const TRADE_KEY_MATRIX: Record<Action, Row> = {
  //                      ADMIN own/other  TRADER own/other  VIEWER own/attached/other
  "app.read": ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
  "app.write": ["ok", "ok", "ok", "ok", "ro", "ro", "ro"],
  "app.administer": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "account.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "account.write": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "account.test": ["ok", "ok", "ok", "ok", "ro", "ro", "ro"],
  "account.testStoredKey": ["ok", "404", "ok", "404", "ro", "ro", "ro"],
  "account.brokerLogin": ["ok", "404", "ok", "404", "ro", "ro", "ro"],
  "order.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "strategy.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "copyGroup.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "strategy.write": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "webhook.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "copyGroup.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "run.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "run.execute": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "run.act": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "exit.request": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "risk.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "risk.manage": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "calendar.read": ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
  "calendar.manage": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "notifications.manage": ["ok", "404", "ok", "404", "ok", "404", "404"],
  "readiness.read": ["ok", "ok", "ok", "404", "ok", "ok", "404"],
  "readiness.run": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "alert.dismiss": ["ok", "ok", "ok", "404", "ro", "ro", "ro"],
  "killSwitch.engage": ["ok", "ok", "ok", "ok", "ro", "ro", "ro"],
  "killSwitch.engageAll": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "killSwitch.rearm": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "apiKey.manage": ["ok", "404", "ok", "404", "ok", "404", "404"],
  "apiKey.createTrade": ["ok", "404", "ok", "404", "ro", "ro", "ro"],
  "user.manage": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "settings.write": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "audit.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "system.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
  "metrics.read": ["ok", "ok", "admin", "admin", "admin", "admin", "admin"],
};

const admin: Actor = { id: "a", role: "ADMIN" };
const trader: Actor = { id: "t", role: "TRADER" };
const viewer: Actor = { id: "v", role: "VIEWER", viewsOwnerIds: ["t"] };

/** Each column of MATRIX: who acts, on a resource owned by whom. */
const COLUMNS: [label: string, actor: Actor, ownerId: string][] = [
  ["ADMIN on own", admin, "a"],
  ["ADMIN on other's", admin, "t9"],
  ["TRADER on own", trader, "t"],
  ["TRADER on other's", trader, "t9"],
  ["VIEWER on own", viewer, "v"],
  ["VIEWER on attached trader's", viewer, "t"],
  ["VIEWER on other's", viewer, "t9"],
];

function verdict(actor: Actor, action: Action, ownerId?: string): V {
  try {
    authorize(actor, action, ownerId === undefined ? undefined : { ownerId, what: "Thing" });
    return "ok";
  } catch (e) {
    if (e instanceof NotFoundError) {
      expect(e.message).toBe("Thing not found");
      return "404";
    }
    if (!(e instanceof ForbiddenError)) throw e;
    if (e.message === "Your role is read-only") return "ro";
    if (e.message === "Admins only") return "admin";
    if (e.message === "This API key is read-only") return "key";
    throw new Error(`unexpected refusal message: ${e.message}`);
  }
}

/** Each matrix with the key scope its actors carry (none: a browser session). */
const MATRICES: [credential: string, scope: Actor["apiKeyScope"], matrix: Record<Action, Row>][] = [
  ["session", undefined, MATRIX],
  ["READ key", "READ", READ_KEY_MATRIX],
  ["TRADE key", "TRADE", TRADE_KEY_MATRIX],
];

const cases = MATRICES.flatMap(([credential, apiKeyScope, matrix]) =>
  Object.entries(matrix).flatMap(([action, row]) =>
    COLUMNS.map(([label, actor, ownerId], i) => ({
      action: action as Action,
      label: `${label} (${credential})`,
      actor: apiKeyScope ? { ...actor, apiKeyScope } : actor,
      ownerId,
      expected: row[i],
    })),
  ),
);

describe("authorize: every action × role × owner", () => {
  it.each(MATRICES)("the %s matrix names every action of the table, and only those", (_c, _s, matrix) => {
    expect(Object.keys(matrix).sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(cases)("$action, $label → $expected", ({ action, actor, ownerId, expected }) => {
    expect(verdict(actor, action, ownerId)).toBe(expected);
    expect(allows(actor, action, { ownerId, what: "Thing" })).toBe(expected === "ok");
  });

  it.each(cases)("$action, $label, no resource given → only the role decides", ({ action, actor, expected }) => {
    expect(verdict(actor, action)).toBe(expected === "404" ? "ok" : expected);
  });

  it("a resource out of reach is a 404 only once the role may act: a viewer writing is always 403", () => {
    expect(verdict(viewer, "account.write", "t9")).toBe("ro");
    expect(verdict(trader, "account.write", "t9")).toBe("404");
  });
});

describe("authorize agrees with the query scope", () => {
  // Lists and loads are narrowed by scopeOf; a row it lets through must be one `*.read` allows, and the reverse.
  it.each(COLUMNS)("%s", (_label, actor, ownerId) => {
    const ids = readableOwnerIds(scopeOf(actor));
    expect(ids === null || ids.includes(ownerId)).toBe(allows(actor, "account.read", { ownerId, what: "Account" }));
  });
});
