import { describe, expect, it } from "vitest";
import { AUDIT_MAX_DETAILS_CHARS, AUDIT_MAX_STRING, boundAuditDetails, boundAuditString } from "./audit-bounds";

describe("audit row bounds", () => {
  it("keeps short strings verbatim and cuts long ones to a prefix, the length and a stable hash", () => {
    expect(boundAuditString("trader@test.in")).toBe("trader@test.in");
    const huge = "a".repeat(5_000_000) + "@test.in";
    const cut = boundAuditString(huge);
    expect(cut.startsWith("a".repeat(AUDIT_MAX_STRING) + "…[5000008 chars, sha256:")).toBe(true);
    expect(cut.length).toBeLessThan(AUDIT_MAX_STRING + 60);
    expect(boundAuditString(huge)).toBe(cut);
    expect(boundAuditString("b".repeat(5_000_008))).not.toBe(cut);
  });

  it("bounds every string, list and nesting level inside details, and the whole document", () => {
    const details = boundAuditDetails({
      email: "x".repeat(1_000_000),
      n: 3,
      ok: true,
      list: Array.from({ length: 60 }, (_, i) => i),
      deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
    });
    expect((details.email as string).length).toBeLessThan(AUDIT_MAX_STRING + 60);
    expect(details.n).toBe(3);
    expect(details.ok).toBe(true);
    expect(details.list).toHaveLength(51);
    expect((details.list as unknown[])[50]).toBe("[+10 more]");
    expect(JSON.stringify(details.deep)).toBe('{"a":{"b":{"c":{"d":{"e":"[nested too deep]"}}}}}');

    const wide = boundAuditDetails(
      Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`k${i}`, Array.from({ length: 50 }, () => "y".repeat(200))]),
      ),
    );
    expect(wide.truncated).toBe(true);
    expect(JSON.stringify(wide).length).toBeLessThan(AUDIT_MAX_DETAILS_CHARS);
  });
});
