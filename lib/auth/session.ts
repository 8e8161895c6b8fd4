import { getToken } from "next-auth/jwt";
import { env } from "@/lib/env";
import { findUserById, viewedTraderIds } from "@/lib/db/queries/users";
import type { Role } from "@/lib/auth/roles";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** For a VIEWER: the traders they are attached to (read-only). */
  viewsOwnerIds?: string[];
}

/** Claims MirrorDesk puts in the next-auth JWT. */
export interface SessionClaims {
  sub?: string;
  sv?: number;
}

/**
 * Resolves JWT claims to the current user. The database is the authority: a deactivated user, a changed role or a
 * bumped session version (password change, re-role) takes effect on the very next request.
 */
export async function resolveSessionUser(claims: SessionClaims | null | undefined): Promise<SessionUser | null> {
  if (!claims?.sub) return null;
  const user = await findUserById(claims.sub);
  if (!user || !user.active || user.sessionVersion !== claims.sv) return null;
  const base = { id: user.id, email: user.email, name: user.name, role: user.role };
  return user.role === "VIEWER" ? { ...base, viewsOwnerIds: await viewedTraderIds(user.id) } : base;
}

/** The signed-in user of an API request (reads the session cookie; no next/headers, so it works in any handler). */
export function sessionUserFromRequest(req: Request): Promise<SessionUser | null> {
  return sessionUserFromCookie(req.headers.get("cookie") ?? "");
}

/** The signed-in user behind a Cookie header (https deployments use the `__Secure-` cookie name). */
export async function sessionUserFromCookie(cookie: string): Promise<SessionUser | null> {
  const secureCookie = cookie.includes("__Secure-authjs.session-token");
  const token = await getToken({ req: { headers: new Headers({ cookie }) }, secret: env().AUTH_SECRET, secureCookie });
  return resolveSessionUser(token as SessionClaims | null);
}
