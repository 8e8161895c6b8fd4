// Prisma 6.19.3 CLI configuration for machines without the native schema-engine binary.
// `engine: "js"` runs the Wasm schema engine through @prisma/adapter-pg, so migrations work offline.
import "dotenv/config"; // the config file disables Prisma's own .env loading
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// `prisma generate` (run on `npm install`) never connects, but with `env("DATABASE_URL")` unresolved the Prisma 6 CLI
// falls back to downloading a native query engine, which fails offline. A local default keeps every CLI command
// offline without any environment; commands that connect use the real variable when it is set.
process.env.DATABASE_URL ||= "postgresql://postgres@127.0.0.1:5432/mirrordesk";

const TEXT_OID = 25;
// Workaround 1 (prisma/orm#27403): adapter-pg 6.19.3 cannot deserialize pg_catalog types `name` (OID 19)
// and `"char"` (OID 18) during introspection. Their values are plain strings, so report them as text.
class IntrospectionSafeClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const fix = (res: pg.QueryResult | undefined) => {
      for (const f of res?.fields ?? []) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = TEXT_OID;
      return res;
    };
    // pg.Pool calls client.query(text, values, callback); direct callers use the promise form.
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: Error | null, res: pg.QueryResult) => last(err, err ? res : fix(res));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args);
    return result && typeof result.then === "function" ? result.then(fix) : result;
  }
}

function poolConfig(database?: string): pg.PoolConfig {
  const url = new URL(process.env.DATABASE_URL as string);
  // Discrete fields, not a connectionString: adapter-pg spreads this config and overrides `database` for the
  // shadow database, which a connectionString would silently win over (workaround 2).
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || "postgres"),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: database ?? url.pathname.replace(/^\//, ""),
    Client: IntrospectionSafeClient,
    // Let the CLI exit as soon as its work is done instead of holding idle connections for 10 s.
    allowExitOnIdle: true,
  };
}

class MigrationPg extends PrismaPg {
  // adapter-pg's executeScript splits a migration on every ";", which breaks function bodies ($$ ... $$) such
  // as the audit log's append-only trigger. Send the whole script as one simple-protocol query instead (Postgres
  // runs multi-statement scripts that way), keeping the adapter's own error mapping.
  override async connect() {
    const adapter = await super.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        (adapter as any).onError(error);
      }
    };
    return adapter;
  }

  // Workaround 2: `migrate dev` needs a shadow database. Create it from the main connection, and on dispose
  // close the shadow pool first, then drop the database WITH (FORCE) so no lingering session blocks the drop.
  override async connectToShadowDb() {
    const main = await this.connect();
    const name = `prisma_shadow_${globalThis.crypto.randomUUID().replace(/-/g, "")}`;
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = await new MigrationPg(poolConfig(name)).connect();
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await main.dispose();
    };
    return shadow;
  }
}

// Workaround 3 (the Wasm engine's never-cleared 10 s / 60 s timers) lives in scripts/prisma-unref-timers.cjs,
// preloaded by `npm run db:migrate`.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  adapter: async () => new MigrationPg(poolConfig()),
});
