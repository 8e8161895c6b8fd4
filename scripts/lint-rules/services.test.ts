import { describe, expect, it } from "vitest";
import { lintAs } from "@/lib/testing/lint";

const RULE = "mirrordesk/services-boundary";
const use = (spec: string, name = "x") => `import { ${name} } from "${spec}";\nexport const y = ${name};\n`;

// Each subsystem of lib/services is entered only through its index.ts (eslint.config.mjs: services-boundary).
// The first lint loads the whole config: slow on a loaded machine, hence the generous timeout.
describe("lint: subsystem boundaries", { timeout: 120_000 }, () => {
  it("refuses a deep import of a subsystem's internal file from outside it", async () => {
    expect(await lintAs("app/api/bad/route.ts", use("@/lib/services/accounts/books"))).toContain(RULE);
    expect(await lintAs("workers/processors/bad.ts", use("@/lib/services/exits/attempt"))).toContain(RULE);
    expect(await lintAs("lib/testing/bad-kit.ts", use("@/lib/services/strategies/strategy-runs"))).toContain(RULE);
  });

  it("refuses another subsystem's internals from inside a subsystem, by alias or by a relative climb", async () => {
    expect(await lintAs("lib/services/exits/bad.ts", use("@/lib/services/positions/parity"))).toContain(RULE);
    expect(await lintAs("lib/services/exits/bad.ts", use("../positions/parity"))).toContain(RULE);
    expect(await lintAs("lib/services/exits/bad.ts", use("../positions"))).toContain(RULE);
  });

  it("refuses a file inside a subsystem importing its own entry, or a sibling by alias", async () => {
    expect(await lintAs("lib/services/exits/bad.ts", use("."))).toContain(RULE);
    expect(await lintAs("lib/services/exits/bad.ts", use("./index"))).toContain(RULE);
    expect(await lintAs("lib/services/exits/bad.ts", use("@/lib/services/exits/attempt"))).toContain(RULE);
  });

  it("allows entry imports, relative siblings, and a subsystem's tests using its entry", async () => {
    expect(await lintAs("app/api/good/route.ts", use("@/lib/services/accounts"))).toEqual([]);
    expect(await lintAs("lib/services/exits/good.ts", use("@/lib/services/positions"))).toEqual([]);
    expect(await lintAs("lib/services/exits/good.ts", use("./attempt"))).toEqual([]);
    expect(await lintAs("lib/services/exits/good.test.ts", use("."))).toEqual([]);
  });
});
