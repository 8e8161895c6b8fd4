// Creates the database named in DATABASE_URL if it is missing (`--recreate` drops it first: clean test runs).
import pg from "pg";

const url = new URL(process.env.DATABASE_URL);
const name = decodeURIComponent(url.pathname.slice(1));
if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Refusing unusual database name ${name}`);
const admin = new URL(url);
admin.pathname = "/postgres";
const client = new pg.Client({ connectionString: admin.toString() });
await client.connect();
try {
  if (process.argv.includes("--recreate")) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (!rowCount) {
    await client.query(`CREATE DATABASE "${name}"`);
    console.log(`[services] created database ${name}`);
  }
} finally {
  await client.end();
}
