/**
 * Demo seed (idempotent): a demo admin and a demo trader with known passwords, printed for the demo only.
 * Never run this against a production database: the passwords are public.
 */
import { randomUUID } from "node:crypto";
import { db, disconnectDb } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { insertAudit } from "@/lib/db/queries/audit";
import { env, simulatorEnv } from "@/lib/env";
import { demoApiKey } from "@/lib/simulator/server/demo";
import { credentialFingerprint, encryptApiKey } from "@/lib/services/broker-access";

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
    await insertAudit({
      actorId: user.id,
      action: "user.seed",
      entity: "user",
      entityId: user.id,
      details: { role: u.role },
    });
  }
  await linkSimulatorAccounts();
  console.log("Demo logins (demo only — change or remove them on a real server):");
  for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(6)}  ${u.email}  /  ${u.password}`);
}

/** The demo trader's accounts: the simulator's demo instances, each under its own host URL; demo1 is primary. */
async function linkSimulatorAccounts() {
  const sim = simulatorEnv();
  const trader = await db().user.findUniqueOrThrow({ where: { email: DEMO_USERS[1].email } });
  const host = sim.SIM_HOST === "0.0.0.0" ? "127.0.0.1" : sim.SIM_HOST;
  for (let n = 1; n <= sim.SIM_DEMO_INSTANCES; n++) {
    const name = `Demo ${n}`;
    const apiKey = demoApiKey(sim.SIM_ADMIN_TOKEN, n);
    const hostUrl = `http://${host}:${sim.SIM_HTTP_PORT}/i/demo${n}`;
    const credential = {
      apiKeyLast4: apiKey.slice(-4),
      credentialFingerprint: credentialFingerprint(env().CREDENTIAL_KEYS, hostUrl, apiKey),
    };
    const connection = { hostUrl, wsUrl: `ws://${host}:${sim.SIM_WS_PORT}`, ...credential };
    const existing = await db().tradingAccount.findUnique({ where: { ownerId_name: { ownerId: trader.id, name } } });
    if (existing) {
      // Re-seal the known demo key under the current CREDENTIAL_KEYS and ports, so a demo database reused by
      // another checkout (with its own generated demo key) keeps working.
      await db().tradingAccount.update({
        where: { id: existing.id },
        data: { ...connection, apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, existing.id, apiKey) },
      });
      continue;
    }
    const id = randomUUID();
    await db().tradingAccount.create({
      data: {
        id,
        ownerId: trader.id,
        name,
        ...connection,
        apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, apiKey),
        isPrimary: n === 1,
        tags: ["demo", n % 2 ? "odd" : "even"],
      },
    });
  }
  console.log(`Demo trader has ${sim.SIM_DEMO_INSTANCES} simulator accounts linked (Demo 1 is primary).`);
}

main()
  .then(() => disconnectDb())
  .catch(async (e) => {
    console.error(e instanceof Error ? e.message : e);
    await disconnectDb();
    process.exit(1);
  });
