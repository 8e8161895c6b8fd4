/**
 * Demo seed (idempotent): a demo admin and a demo trader with known passwords, printed for the demo only.
 * Never run this against a production database: the passwords are public.
 */
import { randomUUID } from "node:crypto";
import { db, disconnectDb } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { insertAudit } from "@/lib/db/queries/audit";
import { env, simulatorEnv } from "@/lib/env";
import { brokerEntry } from "@/lib/brokers/registry";
import { DEFAULT_RATE_LIMITS } from "@/lib/brokers/rate-governor";
import { STORED_KIND } from "@/lib/brokers/kinds";
import { demoApiKey, demoDirectApp, DEMO_DIRECT_BROKERS, type DemoDirectBroker } from "@/lib/simulator/server/demo";
import { credentialFingerprint, encryptApiKey, encryptApiSecret } from "@/lib/services/broker-access";
import { NOT_LOGGED_IN } from "@/lib/services/accounts";

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
  await linkDirectAccounts();
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

/**
 * The demo trader's direct-broker accounts, one per simulated broker (lib/simulator/server/demo.ts), linked like the
 * account form links them: "login needed" until the trader logs in through the simulator's login page.
 */
async function linkDirectAccounts() {
  const sim = simulatorEnv();
  const trader = await db().user.findUniqueOrThrow({ where: { email: DEMO_USERS[1].email } });
  const host = sim.SIM_HOST === "0.0.0.0" ? "127.0.0.1" : sim.SIM_HOST;
  for (const broker of DEMO_DIRECT_BROKERS) {
    const hostUrl = `http://${host}:${sim.SIM_HTTP_PORT}${broker.path}`;
    const existing = await db().tradingAccount.findUnique({
      where: { ownerId_name: { ownerId: trader.id, name: broker.name } },
    });
    const id = existing?.id ?? randomUUID();
    const sealed = directCredentials(id, hostUrl, broker, sim.SIM_ADMIN_TOKEN);
    if (existing) {
      // Re-sealed under the current keys and ports like the OpenAlgo demo accounts; a session sealed under other keys
      // or for another host is void, so the trader logs in again.
      const same =
        existing.hostUrl === sealed.hostUrl && existing.credentialFingerprint === sealed.credentialFingerprint;
      await db().tradingAccount.update({
        where: { id },
        data: { ...sealed, ...(same ? {} : { sessionEnc: null, sessionExpiresAt: null }) },
      });
      continue;
    }
    const limits = brokerEntry(broker.kind).defaultLimits ?? DEFAULT_RATE_LIMITS;
    await db().tradingAccount.create({
      data: {
        id,
        ownerId: trader.id,
        name: broker.name,
        kind: STORED_KIND[broker.kind],
        wsUrl: "",
        ...sealed,
        orderRatePerSec: limits.ordersPerSecond,
        otherRatePerSec: limits.otherPerSecond,
        status: "UNKNOWN",
        lastError: NOT_LOGGED_IN,
        tags: ["demo", "direct"],
      },
    });
  }
  console.log(`Demo trader has ${DEMO_DIRECT_BROKERS.length} direct-broker accounts linked (log in from Accounts).`);
}

/**
 * A demo direct account's connection and sealed app credentials, validated and normalised by the kind's own credential
 * schema as the account form's are.
 */
function directCredentials(id: string, hostUrl: string, broker: DemoDirectBroker, adminToken: string) {
  const ring = env().CREDENTIAL_KEYS;
  const { apiKey, appSecret } = demoDirectApp(adminToken, broker);
  const entry = brokerEntry(broker.kind);
  const asksClientId = entry.form.fields.some((f) => f.name === "clientId");
  const typed = entry.credentials.parse({
    hostUrl,
    apiKey,
    apiSecret: appSecret,
    ...(asksClientId ? { clientId: broker.id } : {}),
  });
  return {
    hostUrl: typed.hostUrl,
    clientId: typeof typed.clientId === "string" ? typed.clientId : null,
    apiKeyEnc: encryptApiKey(ring, id, typed.apiKey),
    apiKeyLast4: typed.apiKey.slice(-4),
    apiSecretEnc: encryptApiSecret(ring, id, typeof typed.apiSecret === "string" ? typed.apiSecret : appSecret),
    credentialFingerprint: credentialFingerprint(ring, typed.hostUrl, typed.apiKey),
  };
}

main()
  .then(() => disconnectDb())
  .catch(async (e) => {
    console.error(e instanceof Error ? e.message : e);
    await disconnectDb();
    process.exit(1);
  });
