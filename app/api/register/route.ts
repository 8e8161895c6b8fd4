import { signIn } from "@/lib/auth/config";
import { route } from "@/lib/http/route";
import { login, register, registerSchema } from "@/lib/services/users";

/** Self-registration (first user becomes ADMIN; closed afterwards unless an admin opens it), then signs in. */
export const POST = route({ access: "public", body: registerSchema }, async ({ body, ip }) => {
  const user = await register(body, ip);
  const { ticket } = await login({ email: body.email, password: body.password }, ip, Date.now());
  await signIn("credentials", { ticket, redirect: false });
  return Response.json({ user }, { status: 201 });
});
