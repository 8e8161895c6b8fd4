/**
 * Time-based one-time passwords as an authenticator app makes them (RFC 6238: HMAC-SHA1 over 30-second steps, 6
 * digits), from the base32 seed a broker shows when the trader enables TOTP (docs/brokers/angel.md "Password login").
 * otplib does the arithmetic; this module fixes the parameters and what counts as a seed.
 */
import { generateSync, ScureBase32Plugin, verifySync } from "otplib";

/** Seconds per step, and how many steps either side of the current one a verifier accepts. */
export const TOTP_STEP_S = 30;
export const TOTP_DIGITS = 6;

/**
 * A seed as typed: spaces and dashes (some apps group the characters) and `=` padding dropped, upper-cased. Valid when
 * it is RFC 4648 base32 of 16 to 64 bytes: the 128-bit floor of RFC 4226 (Angel's seeds are 26 characters, 16 bytes),
 * and otplib's own bounds.
 */
export function normaliseTotpSeed(typed: string): string | undefined {
  const seed = typed
    .replace(/[\s-]+/g, "")
    .replace(/=+$/, "")
    .toUpperCase();
  if (!/^[A-Z2-7]{26,103}$/.test(seed) || ![0, 2, 4, 5, 7].includes(seed.length % 8)) return undefined;
  try {
    generateSync({ secret: seed, epoch: 0 });
    return seed;
  } catch {
    // otplib refuses a seed whose length or trailing bits are not a whole number of bytes.
    return undefined;
  }
}

/** The code an authenticator shows at `epochMs` (milliseconds since the Unix epoch). */
export function totpAt(seed: string, epochMs: number): string {
  return generateSync({ secret: seed, epoch: Math.floor(epochMs / 1000), period: TOTP_STEP_S, digits: TOTP_DIGITS });
}

/** Whether `code` is the seed's code of the step holding `epochMs`, or of the step `windowSteps` either side. */
export function totpMatches(seed: string, code: string, epochMs: number, windowSteps = 1): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return verifySync({
    secret: seed,
    token: code,
    epoch: Math.floor(epochMs / 1000),
    period: TOTP_STEP_S,
    digits: TOTP_DIGITS,
    epochTolerance: windowSteps * TOTP_STEP_S,
  }).valid;
}

/** Base32 (RFC 4648, no padding) of raw seed bytes, as a broker shows a seed. */
export function base32Seed(bytes: Uint8Array): string {
  return new ScureBase32Plugin().encode(bytes, { padding: false });
}
