// Empties the test Redis database (REDIS_URL's index, 1 by default) so every run starts clean.
import { Redis } from "ioredis";

const url = new URL(process.env.REDIS_URL);
if ((url.pathname.slice(1) || "0") === "0")
  throw new Error("Refusing to flush Redis database 0: point TEST_REDIS_URL at a test index");
const r = new Redis(process.env.REDIS_URL);
await r.flushdb();
await r.quit();
