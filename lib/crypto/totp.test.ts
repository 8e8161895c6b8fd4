/**
 * The TOTP codes against RFC 6238's own test vectors (Appendix B, SHA-1 rows: the ASCII seed "12345678901234567890"
 * truncated to 6 digits), the ±1-step window, and which typed seeds are accepted.
 */
import { describe, expect, it } from "vitest";
import { base32Seed, normaliseTotpSeed, totpAt, totpMatches } from "./totp";

const RFC_SEED = base32Seed(new TextEncoder().encode("12345678901234567890"));

describe("totp", () => {
  it("matches RFC 6238's SHA-1 test vectors (last 6 digits of the 8-digit values)", () => {
    expect(RFC_SEED).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    const vectors: [number, string][] = [
      [59, "94287082"],
      [1111111109, "07081804"],
      [1111111111, "14050471"],
      [1234567890, "89005924"],
      [2000000000, "69279037"],
      [20000000000, "65353130"],
    ];
    for (const [t, code] of vectors) expect(totpAt(RFC_SEED, t * 1000), String(t)).toBe(code.slice(-6));
  });

  it("accepts the current step and one either side, not two", () => {
    const now = 1_765_000_015_000;
    expect(totpMatches(RFC_SEED, totpAt(RFC_SEED, now), now)).toBe(true);
    expect(totpMatches(RFC_SEED, totpAt(RFC_SEED, now - 30_000), now)).toBe(true);
    expect(totpMatches(RFC_SEED, totpAt(RFC_SEED, now + 30_000), now)).toBe(true);
    expect(totpMatches(RFC_SEED, totpAt(RFC_SEED, now - 60_000), now)).toBe(false);
    expect(totpMatches(RFC_SEED, totpAt(RFC_SEED, now + 60_000), now)).toBe(false);
    expect(totpMatches(RFC_SEED, "12345", now)).toBe(false);
  });

  it("takes a seed as typed (spaces, lower case, padding) and refuses what is not base32 of 16-64 bytes", () => {
    expect(normaliseTotpSeed(" mfrg gzdf mztw q2lk nnwg 23tp oa ")).toBe(
      base32Seed(new TextEncoder().encode("abcdefghijklmnop")),
    );
    expect(normaliseTotpSeed(`${RFC_SEED}====`)).toBe(RFC_SEED);
    for (const bad of [
      "",
      "JBSWY3DPEHPK3PXP",
      "MFRGGZDFMZTWQ2LKNNWG23TPO1",
      "MFRGGZDFMZTWQ2LKNNWG23TPO",
      "A".repeat(104),
    ])
      expect(normaliseTotpSeed(bad), bad).toBeUndefined();
  });
});
