import { route } from "@/lib/http/route";
import { changePassword, changePasswordSchema } from "@/lib/services/users";

/** Change one's own password. Every session of the user ends (they sign in again with the new password). */
export const PUT = route({ access: "read", body: changePasswordSchema }, async ({ user, body, ip }) => {
  await changePassword(user, body, ip);
  return { ok: true };
});
