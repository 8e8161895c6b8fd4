/**
 * Encryption of broker credentials at rest: AES-256-GCM under versioned keys from the environment.
 *
 * Format: `v<version>.<iv>.<tag>.<ciphertext>` (base64url parts). The additional authenticated data binds a
 * ciphertext to its row (e.g. `account:<id>:apiKey`), so a value copied into another row does not decrypt.
 * Keys are never generated here: a missing or unknown key version is an error, not a silent new key (a key made
 * per process would leave every stored secret undecryptable after a restart).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

export class CredentialKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialKeyError";
  }
}

export interface KeyRing {
  /** Version used for new encryptions: the highest configured. */
  current: number;
  keys: Map<number, Buffer>;
}

/**
 * Parses `CREDENTIAL_KEYS`: comma-separated `v<n>:<base64 of 32 bytes>` entries, e.g. `v1:…,v2:…`.
 * Throws a message that says exactly what is wrong (never echoing key material).
 */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<number, Buffer>();
  for (const [i, entry] of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .entries()) {
    const m = /^v(\d+):([A-Za-z0-9+/_=-]+)$/.exec(entry);
    if (!m) throw new CredentialKeyError(`entry ${i + 1} must look like v<number>:<base64 key>`);
    const version = Number(m[1]);
    const key = Buffer.from(m[2], m[2].includes("-") || m[2].includes("_") ? "base64url" : "base64");
    if (key.length !== 32)
      throw new CredentialKeyError(`key v${version} must be 32 bytes (base64 of 32 random bytes), got ${key.length}`);
    if (keys.has(version)) throw new CredentialKeyError(`key v${version} is listed twice`);
    keys.set(version, key);
  }
  if (keys.size === 0) throw new CredentialKeyError("no keys configured");
  return { current: Math.max(...keys.keys()), keys };
}

export function encryptSecret(ring: KeyRing, plaintext: string, aad: string): string {
  const key = ring.keys.get(ring.current)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    `v${ring.current}`,
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    ct.toString("base64url"),
  ].join(".");
}

export function decryptSecret(ring: KeyRing, blob: string, aad: string): string {
  const parts = blob.split(".");
  const version = Number(parts[0]?.slice(1));
  if (parts.length !== 4 || !parts[0].startsWith("v") || !Number.isInteger(version))
    throw new CredentialKeyError("not an encrypted credential");
  const key = ring.keys.get(version);
  if (!key) throw new CredentialKeyError(`credential was encrypted with key v${version}, which is not configured`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(parts[1], "base64url"));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(parts[2], "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(parts[3], "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new CredentialKeyError(`credential does not decrypt with key v${version} (wrong key or tampered value)`);
  }
}

/** Version a stored blob was encrypted with (for rotation). */
export function keyVersionOf(blob: string): number {
  return Number(blob.split(".")[0]?.slice(1));
}

/** A fresh key entry for `CREDENTIAL_KEYS`, printed by `npm run keys:new`. */
export function newKeyEntry(version: number): string {
  return `v${version}:${randomBytes(32).toString("base64")}`;
}

/**
 * A keyed fingerprint of `text` under key `version` (default: the current one): `v<version>.<HMAC-SHA256>`. The HMAC
 * key is derived from the credential key (HKDF, its own label), so equal secrets can be recognised without storing
 * anything an attacker holding the database alone could test guesses against.
 */
export function keyedFingerprint(ring: KeyRing, text: string, version = ring.current): string {
  const key = ring.keys.get(version);
  if (!key) throw new CredentialKeyError(`key v${version} is not configured`);
  const macKey = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "mirrordesk:credential-fingerprint", 32));
  return `v${version}.${createHmac("sha256", macKey).update(text, "utf8").digest("base64url")}`;
}

/** The fingerprint of `text` under every configured key version (a stored one may predate a rotation). */
export function allFingerprints(ring: KeyRing, text: string): string[] {
  return [...ring.keys.keys()].map((v) => keyedFingerprint(ring, text, v));
}
