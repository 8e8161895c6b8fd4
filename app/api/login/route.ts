import { signIn } from "@/lib/auth/config";
import { route } from "@/lib/http/route";
import { login, loginSchema } from "@/lib/services/users";

/** Sign in: throttled per email and IP (429 + Retry-After), audited, then a next-auth session cookie. */
export const POST = route({ access: "public", body: loginSchema }, async ({ body, ip }) => {
  const { ticket } = await login(body, ip, Date.now());
  await signIn("credentials", { ticket, redirect: false });
  return { ok: true };
});
