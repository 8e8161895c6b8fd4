/**
 * API-key rate limits against the real Redis, through route({ auth: "apiKey" }): each key's own per-minute budget,
 * and the per-address limit on requests whose key does not work.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { route } from "@/lib/http/route";
import { FAILED_KEY_ATTEMPTS_PER_MIN } from "@/lib/auth/api-key-limit";
import { createApiKey } from "@/lib/services/api-keys";
import { closeConnections, jsonRequest, makeUser, resetState } from "@/lib/testing/fixtures";

// Read once by lib/env.ts on first use, which happens after this hoisted block. One trusted proxy hop, so the test
// can speak from several addresses through X-Forwarded-For.
vi.hoisted(() => {
  process.env.API_KEY_RATE_PER_MIN = "3";
  process.env.TRUSTED_PROXY_HOPS = "1";
});

beforeEach(resetState);
afterAll(closeConnections);

const whoAmI = route({ auth: "apiKey" }, async ({ user }) => ({ id: user.id }));
const call = (key: string, ip = "198.51.100.1") =>
  whoAmI(jsonRequest("/t/me", { origin: null, ip, headers: { authorization: `Bearer ${key}` } }));

async function keyOf(name: string) {
  return (await createApiKey(await makeUser("TRADER"), { name, scope: "READ", expiresInDays: null }, "t")).key;
}

describe("per-key budget (API_KEY_RATE_PER_MIN)", () => {
  it("answers 429 with Retry-After once a key has spent its minute, and leaves other keys alone", async () => {
    const [spent, other] = [await keyOf("busy"), await keyOf("quiet")];
    for (let i = 0; i < 3; i += 1) expect((await call(spent)).status).toBe(200);
    const res = await call(spent);
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect((await res.json()).error).toMatchObject({ code: "RATE_LIMITED" });
    // The budget is the key's, not the address's: another key from the same address still works.
    expect((await call(other)).status).toBe(200);
  });
});

describe("per-address limit on keys that do not work", () => {
  it("answers 401 to each bad key until the address has sent too many, then 429 even for a good key", async () => {
    const good = await keyOf("good");
    const guess = (i: number) => call(`mdk_${String(i).padStart(43, "x")}`, "198.51.100.9");
    for (let i = 0; i < FAILED_KEY_ATTEMPTS_PER_MIN; i += 1) expect((await guess(i)).status).toBe(401);
    const refused = await guess(FAILED_KEY_ATTEMPTS_PER_MIN);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await call(good, "198.51.100.9")).status).toBe(429);
    // Another address is not affected.
    expect((await call(good, "198.51.100.10")).status).toBe(200);
  });

  it("does not count requests whose key works", async () => {
    const good = await keyOf("steady");
    // More good requests than failed attempts are allowed, spread over keys so no key's own budget runs out.
    const keys = [good, await keyOf("steady-2"), await keyOf("steady-3")];
    for (let i = 0; i < 3; i += 1) for (const k of keys) expect((await call(k, "198.51.100.20")).status).toBe(200);
    for (let i = 0; i < FAILED_KEY_ATTEMPTS_PER_MIN - 1; i += 1)
      expect((await call(`mdk_${"y".repeat(43)}`, "198.51.100.20")).status).toBe(401);
    expect((await call(`mdk_${"z".repeat(43)}`, "198.51.100.20")).status).toBe(401);
  });
});
