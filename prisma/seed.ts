/**
 * Demo seed (idempotent): a demo admin and a demo trader with known passwords, printed for the demo only.
 * Never run this against a production database: the passwords are public.
 */
import { db, disconnectDb } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { insertAudit } from "@/lib/db/queries/audit";

export const DEMO_USERS = [
  { email: "admin@demo.mirrordesk.in", name: "Demo Admin", role: "ADMIN", password: "demo-admin-2026" },
  { email: "trader@demo.mirrordesk.in", name: "Demo Trader", role: "TRADER", password: "demo-trader-2026" },
] as const;

async function main() {
  for (const u of DEMO_USERS) {
    const existing = await db().user.findUnique({ where: { email: u.email } });
    if (existing) continue;
    const user = await db().user.create({
      data: { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) },
    });
    await insertAudit({ actorId: user.id, action: "user.seed", entity: "user", entityId: user.id, details: { role: u.role } });
  }
  console.log("Demo logins (demo only — change or remove them on a real server):");
  for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(6)}  ${u.email}  /  ${u.password}`);
}

main()
  .then(() => disconnectDb())
  .catch(async (e) => {
    console.error(e instanceof Error ? e.message : e);
    await disconnectDb();
    process.exit(1);
  });
