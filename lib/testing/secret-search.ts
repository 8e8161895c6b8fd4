/**
 * Where a secret could end up, for the leak tests (never used by product code): every text-like value of every table,
 * every value in the test Redis index, and every job of every queue as BullMQ hands it back.
 */
import { db } from "@/lib/db/client";
import { queue } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { redis } from "@/lib/redis";

export interface Place {
  where: string;
  value: string;
}

/** Every text-like value in the database: each text/varchar/json/jsonb column of each table in the public schema. */
export async function everyDatabaseText(): Promise<Place[]> {
  const columns = await db().$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
    `SELECT c.table_name::text AS table_name, c.column_name::text AS column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR c.udt_name IN ('_text', '_varchar'))`,
  );
  const out: Place[] = [];
  for (const { table_name: t, column_name: c } of columns) {
    const q = (id: string) => `"${id.replaceAll('"', '""')}"`;
    const rows = await db().$queryRawUnsafe<{ v: string }[]>(
      `SELECT ${q(c)}::text AS v FROM public.${q(t)} WHERE ${q(c)} IS NOT NULL`,
    );
    for (const r of rows) out.push({ where: `${t}.${c}`, value: r.v });
  }
  return out;
}

/** Every value in the test Redis index, whatever the key's type. */
export async function everyRedisValue(): Promise<Place[]> {
  const r = redis();
  const out: Place[] = [];
  const types = new Set<string>();
  for (const key of await r.keys("*")) {
    const type = await r.type(key);
    // Expired between the listing and now (a rate window, a cached book): there is nothing left to read.
    if (type === "none") continue;
    types.add(type);
    const add = (value: unknown) =>
      out.push({ where: `${type} ${key}`, value: typeof value === "string" ? value : JSON.stringify(value) });
    add(key);
    if (type === "string") add(await r.get(key));
    else if (type === "hash") add(await r.hgetall(key));
    else if (type === "list") add(await r.lrange(key, 0, -1));
    else if (type === "set") add(await r.smembers(key));
    else if (type === "zset") add(await r.zrange(key, "0", "-1", "WITHSCORES"));
    else if (type === "stream") add(await r.xrange(key, "-", "+"));
    else throw new Error(`Redis key ${key} has a type the search does not read: ${type}`);
  }
  return out;
}

/** Every job of every queue, in any state: its data, options, answer and failure text. */
export async function everyJobPayload(): Promise<Place[]> {
  const out: Place[] = [];
  for (const name of Object.values(QUEUES)) {
    const jobs = await queue(name).getJobs([
      "waiting",
      "active",
      "delayed",
      "failed",
      "completed",
      "prioritized",
      "waiting-children",
    ]);
    for (const j of jobs)
      out.push({
        where: `job ${j.queueName}/${j.id}`,
        value: JSON.stringify({
          id: j.id,
          name: j.name,
          data: j.data,
          opts: j.opts,
          returnvalue: j.returnvalue,
          failedReason: j.failedReason,
        }),
      });
  }
  return out;
}

/** The places where `secret` appears (its `where`s); the leak tests expect none. */
export function placesOf(secret: string, places: readonly Place[]): string[] {
  if (secret.length < 8) throw new Error("A secret this short would match by chance: search for a real one");
  return places.filter((p) => p.value.includes(secret)).map((p) => p.where);
}
