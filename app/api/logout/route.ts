import { signOut } from "@/lib/auth/config";
import { insertAudit } from "@/lib/db/queries/audit";
import { route } from "@/lib/http/route";

export const POST = route({ access: "public" }, async ({ user, ip }) => {
  if (user) await insertAudit({ actorId: user.id, action: "auth.logout", entity: "user", entityId: user.id, ip });
  await signOut({ redirect: false });
  return { ok: true };
});
