import { route } from "@/lib/http/route";
import { logout } from "@/lib/services/auth";

// next-auth's session cookie names (https deployments use the `__Secure-` one); both are cleared.
const EXPIRE = "Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
const CLEAR_COOKIES = [`authjs.session-token=; ${EXPIRE}`, `__Secure-authjs.session-token=; ${EXPIRE}; Secure`];

/** Sign out: the session is revoked server-side (a copied cookie stops working too), then the cookie is cleared. */
export const POST = route({ access: "public" }, async ({ user, ip }) => {
  await logout(user, ip);
  const res = Response.json({ ok: true });
  for (const c of CLEAR_COOKIES) res.headers.append("set-cookie", c);
  return res;
});
