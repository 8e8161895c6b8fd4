import { headers } from "next/headers";
import { sessionUserFromCookie, type SessionUser } from "@/lib/auth/session";

/** The signed-in user for server components, layouts and server actions. */
export async function currentUser(): Promise<SessionUser | null> {
  return sessionUserFromCookie((await headers()).get("cookie") ?? "");
}
