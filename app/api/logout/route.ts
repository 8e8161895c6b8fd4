import { route } from "@/lib/http/route";
import { logout } from "@/lib/services/users";

/** next-auth's session cookie names (`__Secure-` on https; `.0`, `.1`… when a large token is split). */
const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?$/;

/** Sign out: the session is revoked server-side (a copied cookie stops working too), then every session cookie the browser sent is expired. */
export const POST = route({ access: "public" }, async ({ req, user, ip }) => {
  await logout(user, ip);
  const sent = (req.headers.get("cookie") ?? "").split(";").map((c) => c.split("=")[0].trim());
  const names = new Set(["authjs.session-token", ...sent.filter((n) => SESSION_COOKIE.test(n))]);
  const res = Response.json({ ok: true });
  for (const name of names) {
    const secure = name.startsWith("__Secure-") ? "; Secure" : "";
    res.headers.append(
      "Set-Cookie",
      `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax${secure}`,
    );
  }
  return res;
});
