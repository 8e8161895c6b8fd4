import { beforeAll, describe, expect, it } from "vitest";
import { lintAs } from "@/lib/testing/lint";

const RULE = "layers/db-access";
const useClient = 'import { db } from "@/lib/db/client";\nexport const n = () => db().user.count();\n';
const usePrisma = 'import { Prisma } from "@/lib/generated/prisma/client";\nexport const d = new Prisma.Decimal(1);\n';

// The database boundary of eslint.config.mjs: the Prisma client and runtime only in lib/db (docs/database-access.md).
describe("lint: database access only through lib/db", () => {
  // Loading the project's eslint config (typescript-eslint included) is the slow part: done once, before the cases.
  beforeAll(() => lintAs("lib/db/warm-up.ts", "export {};\n"), 120_000);

  it("refuses the Prisma client in services, routes, pages and workers", async () => {
    for (const file of [
      "lib/services/users/bad.ts",
      "app/api/bad/route.ts",
      "app/(app)/bad/page.tsx",
      "workers/bad.ts",
    ])
      expect(await lintAs(file, useClient), file).toContain(RULE);
    expect(await lintAs("lib/services/bad.ts", 'import { db } from "../db/client";\nexport const d = db;\n')).toContain(
      RULE,
    );
  });

  it("refuses Prisma's runtime outside lib/db, but allows its types", async () => {
    expect(await lintAs("lib/services/bad.ts", usePrisma)).toContain(RULE);
    expect(
      await lintAs(
        "lib/services/bad.ts",
        'import { PrismaPg } from "@prisma/adapter-pg";\nexport const p = PrismaPg;\n',
      ),
    ).toContain(RULE);
    expect(
      await lintAs(
        "lib/services/good.ts",
        'import type { RunStatus } from "@/lib/generated/prisma/client";\nexport const s: RunStatus | null = null;\n',
      ),
    ).toEqual([]);
  });

  it("allows closing the pool at shutdown, and the client where rows are set up or queried", async () => {
    const close = 'import { disconnectDb } from "@/lib/db/client";\nexport const c = disconnectDb;\n';
    expect(await lintAs("workers/good.ts", close)).toEqual([]);
    for (const file of [
      "lib/db/queries/good.ts",
      "lib/testing/good-kit.ts",
      "lib/services/users/good.int.test.ts",
      "scripts/good.ts",
      "prisma/good.ts",
      "bench/good.ts",
    ])
      expect(await lintAs(file, useClient), file).toEqual([]);
    expect(await lintAs("lib/db/queries/good.ts", usePrisma)).toEqual([]);
  });
});
