/**
 * Every permission decision, in one table: which role an action needs, and whose resources it may touch. The HTTP
 * and server-action edges ask it for their early role gate; every service entry that takes an actor asks it again for
 * the action it performs, so a service called from anywhere (a route, a page, a script) enforces the same rule.
 * Pure: no I/O. Queries that list or load rows narrow them by `scopeOf` (lib/auth/roles.ts), which follows the same
 * owner rule as `readable` below (the unit test checks the two agree). See docs/authorization.md.
 */
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { canAccessOwned, canAdminister, canWrite, type Actor } from "./roles";

/** The role an action needs: any signed-in user, a role that may change things (ADMIN/TRADER), or an ADMIN. */
type Need = "signedIn" | "writer" | "admin";

/**
 * Whose resources an action may touch, when it is about one: `readable` the owner's, an admin's (every owner) and a
 * viewer's attached traders'; `writable` the owner's and an admin's; `ownerOnly` the owner's alone, admins included
 * (a stored broker key is used only for its own owner).
 */
type Reach = "readable" | "writable" | "ownerOnly";

interface Rule {
  need: Need;
  reach?: Reach;
  /** The action only reads: allowed to a read-only API key whose user meets `need`. */
  reads?: true;
}

export const RULES = {
  // The edge's early gate (route() `access`), decided before any resource is loaded.
  "app.read": { need: "signedIn" },
  "app.write": { need: "writer" },
  "app.administer": { need: "admin" },

  "account.read": { need: "signedIn", reach: "readable" },
  "account.write": { need: "writer", reach: "writable" },
  /** Test a typed host + key from the account form. */
  "account.test": { need: "writer" },
  /** Test an account's stored key (editing, key left blank). */
  "account.testStoredKey": { need: "writer", reach: "ownerOnly" },
  /** Log an account in at its broker (direct kinds): its stored app key and secret are used for its owner alone. */
  "account.brokerLogin": { need: "writer", reach: "ownerOnly" },
  /** Cancel or modify a working order at the broker. */
  "order.manage": { need: "writer", reach: "writable" },
  "strategy.read": { need: "signedIn", reach: "readable" },
  "strategy.write": { need: "writer", reach: "writable" },
  /** Create, rotate, revoke and configure a strategy's webhook (its URL token and signing secret are shown once). */
  "webhook.manage": { need: "writer", reach: "writable" },
  /** Read copy groups, their copy log and drift board (docs/copy-trading.md). */
  "copyGroup.read": { need: "signedIn", reach: "readable" },
  /** Create, change, pause, resume and delete copy groups and children; "sync now" (orders go to the broker). */
  "copyGroup.manage": { need: "writer", reach: "writable" },
  "run.read": { need: "signedIn", reach: "readable" },
  /** Execute a strategy or a ticket: orders go to the broker. */
  "run.execute": { need: "writer", reach: "writable" },
  /** Cancel a run's open orders, retry its failed intents. */
  "run.act": { need: "writer", reach: "writable" },
  "exit.request": { need: "writer", reach: "writable" },
  /** Read runs' risk rules, their live state and risk events (docs/risk.md). */
  "risk.read": { need: "signedIn", reach: "readable" },
  /** Change or pause a rule on a live run; set an account's daily loss limit. */
  "risk.manage": { need: "writer", reach: "writable" },
  /** Read the trading calendar (sessions, holidays, special sessions). */
  "calendar.read": { need: "signedIn" },
  /** Override a day's session, refresh the calendar from OpenAlgo (docs/calendar.md). */
  "calendar.manage": { need: "admin" },
  /** One's own notification channels and choices, and "send test" (docs/notifications.md). */
  "notifications.manage": { need: "signedIn", reach: "ownerOnly" },
  /** Read accounts' readiness checks (docs/readiness.md). */
  "readiness.read": { need: "signedIn", reach: "readable" },
  /** Run a readiness check now (calls the accounts' brokers). */
  "readiness.run": { need: "writer", reach: "writable" },
  "alert.dismiss": { need: "writer", reach: "writable" },
  /** Engage one's own kill switch. */
  "killSwitch.engage": { need: "writer" },
  /** Engage the kill switch for everyone. */
  "killSwitch.engageAll": { need: "admin" },
  "killSwitch.rearm": { need: "admin" },
  /** Create, list and revoke one's own personal API keys (docs/api.md). */
  "apiKey.manage": { need: "signedIn", reach: "ownerOnly" },
  /** Create a TRADE key, one that may change things: only for a role that may itself. */
  "apiKey.createTrade": { need: "writer", reach: "ownerOnly" },
  "user.manage": { need: "admin" },
  "settings.write": { need: "admin" },
  "audit.read": { need: "admin", reads: true },
  "system.read": { need: "admin", reads: true },
  "metrics.read": { need: "admin", reads: true },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof RULES;

/** The early role gate of each access level of the edge (route()). */
export const ACCESS_GATE = {
  read: "app.read",
  write: "app.write",
  admin: "app.administer",
} as const satisfies Record<string, Action>;

/** The resource an action is about: its owner, and what to call it in a 404. */
export interface OwnedResource {
  ownerId: string;
  what: string;
}

export type Verdict =
  | { allowed: true }
  | { allowed: false; reason: "readOnly" | "readOnlyKey" | "adminOnly" }
  | { allowed: false; reason: "notFound" };

/** One message per refusal. A resource out of reach is a 404, exactly like one that does not exist. */
export const FORBIDDEN_MESSAGES = {
  readOnly: "Your role is read-only",
  readOnlyKey: "This API key is read-only",
  adminOnly: "Admins only",
} as const;

function meetsNeed(actor: Actor, need: Need): boolean {
  if (need === "admin") return canAdminister(actor);
  if (need === "writer") return canWrite(actor);
  return true;
}

function reaches(actor: Actor, reach: Reach, ownerId: string): boolean {
  if (reach === "ownerOnly") return actor.id === ownerId;
  return canAccessOwned(actor, ownerId, reach === "readable" ? "read" : "write");
}

/** The verdict without throwing: the role first, then (for an action about a resource) its owner. */
export function verdictOf(actor: Actor, action: Action, resource?: OwnedResource): Verdict {
  const rule: Rule = RULES[action];
  // A read-only API key changes nothing, whatever its user's role.
  if (actor.apiKeyScope === "READ" && rule.need !== "signedIn" && !rule.reads && meetsNeed(actor, rule.need))
    return { allowed: false, reason: "readOnlyKey" };
  if (!meetsNeed(actor, rule.need)) return { allowed: false, reason: rule.need === "admin" ? "adminOnly" : "readOnly" };
  if (resource && rule.reach && !reaches(actor, rule.reach, resource.ownerId))
    return { allowed: false, reason: "notFound" };
  return { allowed: true };
}

/** Whether `actor` may perform `action` (on `resource`), e.g. to show or hide a control. */
export function allows(actor: Actor, action: Action, resource?: OwnedResource): boolean {
  return verdictOf(actor, action, resource).allowed;
}

/**
 * Throws unless `actor` may perform `action`: `ForbiddenError` for a role that may not, `NotFoundError` for another
 * owner's resource out of reach. Without `resource` only the role is decided; the caller's scoped query (`scopeOf`)
 * then keeps other owners' rows out, giving the same 404.
 */
export function authorize(actor: Actor, action: Action, resource?: OwnedResource): void {
  const v = verdictOf(actor, action, resource);
  if (v.allowed) return;
  if (v.reason === "notFound") throw new NotFoundError(resource?.what);
  throw new ForbiddenError(FORBIDDEN_MESSAGES[v.reason]);
}
