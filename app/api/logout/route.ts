import { insertAudit } from "@/lib/db/queries/audit";
import { route } from "@/lib/http/route";

/** next-auth's session cookie names (`__Secure-` on https; `.0`, `.1`… when a large token is split). */
const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?$/;

/** Ends the browser's session: every session cookie it sent is expired in the answer. */
export const POST = route({ access: "public" }, async ({ req, user, ip }) => {
  if (user) await insertAudit({ actorId: user.id, action: "auth.logout", entity: "user", entityId: user.id, ip });
  const sent = (req.headers.get("cookie") ?? "").split(";").map((c) => c.split("=")[0].trim());
  const names = new Set(["authjs.session-token", ...sent.filter((n) => SESSION_COOKIE.test(n))]);
  const res = Response.json({ ok: true });
  for (const name of names) {
    const secure = name.startsWith("__Secure-") ? "; Secure" : "";
    res.headers.append("Set-Cookie", `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax${secure}`);
  }
  return res;
});
