import { describe, expect, it } from "vitest";
import { lintAs } from "@/lib/testing/lint";

// Components may name the JSON shapes services return, but never load a service, the database or Prisma.
describe("lint: components and services", () => {
  it("forbids value imports of services", async () => {
    expect(
      await lintAs(
        "components/bad.tsx",
        'import { listAccountsFor } from "@/lib/services/accounts";\nexport const l = listAccountsFor;\n',
      ),
    ).toContain("layers/component-services");
    expect(
      await lintAs(
        "components/bad.tsx",
        'import { type AccountJson, toView } from "@/lib/services/accounts";\nexport const t: (a: never) => AccountJson = toView;\n',
      ),
    ).toContain("layers/component-services");
  });

  it("allows type-only imports of the shapes services return", async () => {
    expect(
      await lintAs(
        "components/good.tsx",
        'import type { AccountJson } from "@/lib/services/accounts";\nexport type A = AccountJson;\n',
      ),
    ).toEqual([]);
  });

  it("forbids the database and Prisma, even as types", async () => {
    expect(
      await lintAs(
        "components/bad.tsx",
        'import type { AccountRow } from "@/lib/db/queries/accounts";\nexport type A = AccountRow;\n',
      ),
    ).toContain("no-restricted-imports");
    expect(
      await lintAs(
        "components/bad.tsx",
        'import type { Prisma } from "@/lib/generated/prisma/client";\nexport type P = Prisma.JsonValue;\n',
      ),
    ).toContain("no-restricted-imports");
  });
});
