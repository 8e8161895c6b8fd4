import { describe, expect, it } from "vitest";
import {
  allFingerprints,
  CredentialKeyError,
  decryptSecret,
  encryptSecret,
  keyedFingerprint,
  keyVersionOf,
  newKeyEntry,
  parseKeyRing,
} from "@/lib/crypto/credentials";

const k1 = newKeyEntry(1);
const k2 = newKeyEntry(2);

describe("key ring", () => {
  it("uses the highest version for new encryptions", () => {
    const ring = parseKeyRing(`${k2}, ${k1}`);
    expect(ring.current).toBe(2);
    expect(ring.keys.size).toBe(2);
  });

  it.each([
    ["", "no keys configured"],
    ["v1", "entry 1 must look like"],
    [`v1:${Buffer.alloc(16).toString("base64")}`, "must be 32 bytes"],
    [`${k1},${k1}`, "listed twice"],
  ])("refuses %j", (spec, message) => {
    expect(() => parseKeyRing(spec)).toThrow(message);
  });

  it("never echoes key material in its errors", () => {
    const short = Buffer.alloc(16, 7).toString("base64");
    try {
      parseKeyRing(`v3:${short}`);
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
      return;
    }
    throw new Error("expected failure");
  });
});

describe("encrypt / decrypt", () => {
  const ring = parseKeyRing(k1);

  it("round-trips and does not contain the plaintext", () => {
    const blob = encryptSecret(ring, "oa-api-key-0123456789abcdef", "account:a1:apiKey");
    expect(blob).not.toContain("oa-api-key");
    expect(blob.startsWith("v1.")).toBe(true);
    expect(decryptSecret(ring, blob, "account:a1:apiKey")).toBe("oa-api-key-0123456789abcdef");
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret(ring, "same", "x")).not.toBe(encryptSecret(ring, "same", "x"));
  });

  it("refuses another row's AAD, a wrong key, a tampered value and an unknown version", () => {
    const blob = encryptSecret(ring, "secret", "account:a1:apiKey");
    expect(() => decryptSecret(ring, blob, "account:a2:apiKey")).toThrow(CredentialKeyError);
    const otherRing = parseKeyRing(newKeyEntry(1));
    expect(() => decryptSecret(otherRing, blob, "account:a1:apiKey")).toThrow(/wrong key or tampered/);
    const parts = blob.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => decryptSecret(ring, parts.join("."), "account:a1:apiKey")).toThrow(CredentialKeyError);
    expect(() => decryptSecret(parseKeyRing(k2), blob, "account:a1:apiKey")).toThrow("key v1, which is not configured");
    expect(() => decryptSecret(ring, "plaintext-key", "x")).toThrow("not an encrypted credential");
  });

  it("old versions stay readable after a new key is added (rotation)", () => {
    const old = encryptSecret(parseKeyRing(k1), "secret", "aad");
    const both = parseKeyRing(`${k1},${k2}`);
    expect(decryptSecret(both, old, "aad")).toBe("secret");
    const rotated = encryptSecret(both, decryptSecret(both, old, "aad"), "aad");
    expect(keyVersionOf(rotated)).toBe(2);
    expect(decryptSecret(both, rotated, "aad")).toBe("secret");
  });
});

describe("keyed fingerprints", () => {
  it("are stable per key version, differ between versions and texts, and never contain the text", () => {
    const both = parseKeyRing(`${k1},${k2}`);
    const fp = keyedFingerprint(both, "http://h:5000\nsecret-key");
    expect(fp.startsWith("v2.")).toBe(true);
    expect(fp).toBe(keyedFingerprint(parseKeyRing(`${k2}`), "http://h:5000\nsecret-key"));
    expect(fp).not.toBe(keyedFingerprint(both, "http://h:5000\nsecret-kez"));
    expect(fp).not.toContain("secret");
    expect(new Set(allFingerprints(both, "x"))).toEqual(
      new Set([keyedFingerprint(both, "x", 1), keyedFingerprint(both, "x", 2)]),
    );
  });
});
