import { beforeAll, describe, expect, it } from "vitest";
import { lintAs } from "@/lib/testing/lint";

const KITS = "layers/test-kits";
const WORKERS = "layers/workers";
const kit = (spec: string) => `import { seedUser } from "${spec}";\nexport const s = seedUser;\n`;
const processor = (spec: string) => `import { processFillsJob } from "${spec}";\nexport const p = processFillsJob;\n`;

// The test-kit and worker rules of eslint.config.mjs, each proven by a deliberately bad file and a good one beside it.
describe("lint: test kits and workers", () => {
  // Loading ESLint and the TypeScript parser is slow on a busy machine; do it once, outside the cases' own limit.
  beforeAll(() => lintAs("lib/warm-up.ts", "export {};\n"), 120_000);

  it("keeps lib/testing out of production code, however the import is spelt", async () => {
    expect(await lintAs("lib/services/bad.ts", kit("@/lib/testing/fixtures"))).toContain(KITS);
    expect(await lintAs("lib/services/accounts/bad.ts", kit("../../testing/fixtures"))).toContain(KITS);
    expect(await lintAs("app/api/bad/route.ts", kit("@/lib/testing/fixtures"))).toContain(KITS);
    expect(await lintAs("components/bad.tsx", kit("@/lib/testing/fixtures"))).toContain(KITS);
    expect(await lintAs("workers/bad.ts", kit("../lib/testing/fixtures"))).toContain(KITS);
    expect(await lintAs("scripts/bad.ts", kit("@/lib/testing/fixtures"))).toContain(KITS);
  });

  it("lets tests, kits, browser journeys and benchmarks use lib/testing", async () => {
    expect(await lintAs("lib/services/good.int.test.ts", kit("@/lib/testing/fixtures"))).toEqual([]);
    expect(await lintAs("lib/testing/good.ts", kit("./fixtures"))).toEqual([]);
    expect(await lintAs("e2e/good.spec.ts", kit("@/lib/testing/fixtures"))).toEqual([]);
    expect(await lintAs("bench/good.ts", kit("@/lib/testing/fixtures"))).toEqual([]);
  });

  it("keeps workers/ out of lib/, tests included", async () => {
    expect(await lintAs("lib/services/bad.ts", processor("@/workers/processors/fills"))).toContain(WORKERS);
    expect(await lintAs("lib/queues/bad.ts", processor("../../workers/processors/fills"))).toContain(WORKERS);
    expect(await lintAs("lib/services/fills/bad.test.ts", processor("@/workers/processors/fills"))).toContain(WORKERS);
    expect(await lintAs("workers/good.ts", processor("./processors/fills"))).toEqual([]);
  });

  it("adds to the layer rules rather than replacing them", async () => {
    const next = 'import { headers } from "next/headers";\nexport const h = headers;\n';
    expect(await lintAs("lib/services/bad.ts", next)).toContain("no-restricted-imports");
    const io = 'import { prisma } from "@/lib/db/client";\nexport const p = prisma;\n';
    expect(await lintAs("lib/trading/bad.ts", io)).toContain("no-restricted-imports");
  });
});
