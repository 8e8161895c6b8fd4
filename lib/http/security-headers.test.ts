import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
// @ts-expect-error next.config.mjs is plain JavaScript (typed by its JSDoc only).
import config from "@/next.config.mjs";

const nextConfig = config as NextConfig;

describe("security headers (next.config.mjs)", () => {
  it("sends frame, sniffing, referrer and content-security headers on every path", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    const headers = Object.fromEntries((all?.headers ?? []).map((h) => [h.key, h.value]));
    expect(headers["X-Frame-Options"]).toBe("DENY");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    const csp = new Map(
      headers["Content-Security-Policy"]
        .split("; ")
        .map((d: string) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]),
    );
    expect(csp.get("frame-ancestors")).toBe("'none'");
    expect(csp.get("default-src")).toBe("'self'");
    expect(csp.get("object-src")).toBe("'none'");
    expect(csp.get("connect-src")).toBe("'self'");
    expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
  });
});
