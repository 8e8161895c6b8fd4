/**
 * Roles, the facts about them and the query scope of an actor. VIEWER reads only; TRADER manages their own things;
 * ADMIN manages everything. Permission decisions are made by `authorize` (./authorize.ts), built on these facts; see
 * docs/authorization.md.
 */
export type Role = "ADMIN" | "TRADER" | "VIEWER";
/** What an API key may do on top of its user's role: READ keys only read (lib/auth/api-keys.ts). */
export type ApiKeyScope = "READ" | "TRADE";

export interface Actor {
  id: string;
  role: Role;
  /** For a VIEWER: the traders an admin attached them to, whose desks they may read (never change). */
  viewsOwnerIds?: readonly string[];
  /** Set when the actor is an API key: a READ key may do nothing that changes anything, whatever the role. */
  apiKeyScope?: ApiKeyScope;
}

/**
 * Which owners' rows a query may return. `ownerId` null means every owner (admins). `alsoReads` lists further owners
 * whose rows a viewer may read; query functions honour it through `ownerFilter`/`readableOwnerIds`, and since a
 * viewer can never write, no write path ever acts on those rows.
 */
export interface Scope {
  ownerId: string | null;
  alsoReads?: readonly string[];
}

export function canWrite(actor: Actor): boolean {
  return actor.role === "ADMIN" || actor.role === "TRADER";
}

export function canAdminister(actor: Actor): boolean {
  return actor.role === "ADMIN";
}

/** Whether `actor` may see or change something owned by `ownerId`. */
export function canAccessOwned(actor: Actor, ownerId: string, mode: "read" | "write"): boolean {
  if (mode === "write" && !canWrite(actor)) return false;
  if (actor.role === "ADMIN" || actor.id === ownerId) return true;
  return mode === "read" && actor.role === "VIEWER" && (actor.viewsOwnerIds ?? []).includes(ownerId);
}

/**
 * Query scope of an actor: admins see every owner's rows, traders only their own, viewers their own plus those of
 * the traders they are attached to.
 */
export function scopeOf(actor: Actor): Scope {
  if (actor.role === "ADMIN") return { ownerId: null };
  const alsoReads = actor.role === "VIEWER" ? (actor.viewsOwnerIds ?? []).filter((id) => id !== actor.id) : [];
  return alsoReads.length > 0 ? { ownerId: actor.id, alsoReads } : { ownerId: actor.id };
}

/** Owner ids a scope may read, or null for every owner. */
export function readableOwnerIds(scope: Scope): string[] | null {
  if (scope.ownerId === null) return null;
  return [scope.ownerId, ...(scope.alsoReads ?? [])];
}

/** A Prisma `where` fragment on an `ownerId` column for a scope. */
export function ownerFilter(scope: Scope): { ownerId?: string | { in: string[] } } {
  const ids = readableOwnerIds(scope);
  if (ids === null) return {};
  return ids.length === 1 ? { ownerId: ids[0] } : { ownerId: { in: ids } };
}
