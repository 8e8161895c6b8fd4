/** Role rules, in one place. VIEWER reads only; TRADER manages their own things; ADMIN manages everything. */
export type Role = "ADMIN" | "TRADER" | "VIEWER";

export interface Actor {
  id: string;
  role: Role;
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
  return actor.role === "ADMIN" || actor.id === ownerId;
}

/** Query scope of an actor: admins see every owner's rows, everyone else only their own. */
export function scopeOf(actor: Actor): { ownerId: string | null } {
  return { ownerId: actor.role === "ADMIN" ? null : actor.id };
}
