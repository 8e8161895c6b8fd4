import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis";
import { keyVersionOf, newKeyEntry, parseKeyRing } from "@/lib/crypto/credentials";
import { credentialFingerprint, decryptApiKey, encryptApiKey, rotateCredentials } from "./credentials";
import { encryptApiSecret, encryptPin, encryptSession, encryptTotpSecret, readDirectSecrets } from "./session";
import { makeUser, resetState } from "@/lib/testing/fixtures";

beforeEach(resetState);
afterAll(async () => {
  await disconnectRedis();
  await disconnectDb();
});

async function storeAccounts(ring: ReturnType<typeof parseKeyRing>, n: number) {
  const owner = await makeUser("TRADER");
  const keys = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const apiKey = `key-${i}-${randomUUID()}`;
    keys.set(id, apiKey);
    await db().tradingAccount.create({
      data: {
        id,
        ownerId: owner.id,
        name: `acct ${i}`,
        hostUrl: "http://127.0.0.1:5055",
        wsUrl: "ws://127.0.0.1:8765",
        apiKeyEnc: encryptApiKey(ring, id, apiKey),
        apiKeyLast4: apiKey.slice(-4),
      },
    });
  }
  return keys;
}

describe("credential key rotation", () => {
  it("re-encrypts every key under the newest version with nothing lost, then the old key can go", async () => {
    const v1 = newKeyEntry(1);
    const v2 = newKeyEntry(2);
    const keys = await storeAccounts(parseKeyRing(v1), 5);

    const both = parseKeyRing(`${v1},${v2}`);
    expect(await rotateCredentials(both)).toEqual({ rotated: 5, alreadyCurrent: 0, failed: [], duplicates: [] });
    expect(await rotateCredentials(both)).toEqual({ rotated: 0, alreadyCurrent: 5, failed: [], duplicates: [] });

    const onlyV2 = parseKeyRing(v2);
    for (const row of await db().tradingAccount.findMany()) {
      expect(keyVersionOf(row.apiKeyEnc)).toBe(2);
      expect(decryptApiKey(onlyV2, row.id, row.apiKeyEnc)).toBe(keys.get(row.id));
    }
  });

  it("re-encrypts a direct account's app secret, PIN, TOTP seed and session along with its key", async () => {
    const v1 = newKeyEntry(1);
    const v2 = newKeyEntry(2);
    const old = parseKeyRing(v1);
    const [id] = (await storeAccounts(old, 1)).keys();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const tokens = { accessToken: `access-${randomUUID()}`, refreshToken: `refresh-${randomUUID()}`, expiresAt };
    await db().tradingAccount.update({
      where: { id },
      data: {
        kind: "FYERS",
        apiSecretEnc: encryptApiSecret(old, id, "app-secret-0123"),
        pinEnc: encryptPin(old, id, "0947"),
        totpSecretEnc: encryptTotpSecret(old, id, "JBSWY3DPEHPK3PXP"),
        sessionEnc: encryptSession(old, id, tokens),
        sessionExpiresAt: expiresAt,
      },
    });

    expect(await rotateCredentials(parseKeyRing(`${v1},${v2}`))).toMatchObject({ rotated: 1, failed: [] });
    const row = await db().tradingAccount.findUniqueOrThrow({ where: { id } });
    for (const blob of [row.apiSecretEnc, row.pinEnc, row.totpSecretEnc, row.sessionEnc])
      expect(keyVersionOf(blob!)).toBe(2);
    expect(readDirectSecrets(parseKeyRing(v2), row)).toEqual({
      apiSecret: "app-secret-0123",
      pin: "0947",
      totpSecret: "JBSWY3DPEHPK3PXP",
      session: { ...tokens, brokerUserId: undefined },
    });
  });

  it("reports rows it cannot decrypt and leaves them untouched", async () => {
    const lost = newKeyEntry(1);
    await storeAccounts(parseKeyRing(lost), 2);
    const before = await db().tradingAccount.findMany({ orderBy: { id: "asc" } });
    const report = await rotateCredentials(parseKeyRing(newKeyEntry(2)));
    expect(report.rotated).toBe(0);
    expect(report.failed.sort()).toEqual(before.map((r) => r.id).sort());
    const after = await db().tradingAccount.findMany({ orderBy: { id: "asc" } });
    expect(after.map((r) => r.apiKeyEnc)).toEqual(before.map((r) => r.apiKeyEnc));
  });

  it("fills the fingerprint of rows saved before fingerprints existed, and reports a pair that duplicates one account", async () => {
    const ring = parseKeyRing(newKeyEntry(1));
    const owner = await makeUser("TRADER");
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const keys = ["same-key-0001", "same-key-0001", "other-key-0002"];
    for (const [i, id] of ids.entries()) {
      await db().tradingAccount.create({
        data: {
          id,
          ownerId: owner.id,
          name: `old ${i}`,
          hostUrl: "http://127.0.0.1:5055",
          wsUrl: "ws://127.0.0.1:8765",
          apiKeyEnc: encryptApiKey(ring, id, keys[i]),
          apiKeyLast4: "0000",
        },
      });
    }
    const report = await rotateCredentials(ring);
    expect(report.rotated).toBe(0);
    expect(report.alreadyCurrent).toBe(2);
    expect(report.duplicates).toHaveLength(1);
    const rows = await db().tradingAccount.findMany();
    const byId = new Map(rows.map((r) => [r.id, r.credentialFingerprint]));
    expect(byId.get(ids[2])).toBe(credentialFingerprint(ring, "http://127.0.0.1:5055/", "other-key-0002"));
    expect(rows.filter((r) => r.credentialFingerprint === null).map((r) => r.id)).toEqual(report.duplicates);
  });

  it("stores no plaintext key in any column", async () => {
    const keys = await storeAccounts(parseKeyRing(newKeyEntry(1)), 3);
    const dump = JSON.stringify(await db().$queryRawUnsafe(`SELECT row_to_json(t)::text AS j FROM trading_accounts t`));
    for (const k of keys.values()) expect(dump).not.toContain(k);
  });
});
