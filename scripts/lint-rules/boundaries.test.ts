import { describe, expect, it } from "vitest";
import { lintAs } from "@/lib/testing/lint";

// Each architecture rule of eslint.config.mjs, proven by a deliberately bad file (and a good one beside it).
describe("lint: layer boundaries", () => {
  it("keeps the pure core free of I/O, clocks and randomness", async () => {
    expect(
      await lintAs("lib/trading/bad.ts", 'import { prisma } from "@/lib/db/client";\nexport const x = prisma;\n'),
    ).toContain("no-restricted-imports");
    expect(await lintAs("lib/trading/bad.ts", "export const t = Date.now();\n")).toContain("no-restricted-properties");
    expect(await lintAs("lib/trading/bad.ts", "export const r = Math.random();\n")).toContain(
      "no-restricted-properties",
    );
    expect(
      await lintAs("lib/trading/good.ts", 'import Decimal from "decimal.js";\nexport const d = new Decimal(1);\n'),
    ).toEqual([]);
  });

  it("keeps Next.js, React and sessions out of the code workers load", async () => {
    expect(
      await lintAs("lib/services/bad.ts", 'import { headers } from "next/headers";\nexport const h = headers;\n'),
    ).toContain("no-restricted-imports");
    expect(
      await lintAs("workers/bad.ts", 'import { auth } from "@/lib/auth/session";\nexport const a = auth;\n'),
    ).toContain("no-restricted-imports");
  });

  it("keeps Prisma and services out of components", async () => {
    expect(
      await lintAs("components/bad.tsx", 'import { prisma } from "@/lib/db/client";\nexport const p = prisma;\n'),
    ).toContain("no-restricted-imports");
  });

  it("reads the environment only through lib/env.ts", async () => {
    expect(await lintAs("lib/services/bad.ts", "export const u = process.env.DATABASE_URL;\n")).toContain(
      "no-restricted-properties",
    );
    expect(await lintAs("lib/env.ts", "export const u = process.env.DATABASE_URL;\n")).toEqual([]);
  });
});
