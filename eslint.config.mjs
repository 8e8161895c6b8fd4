// Lint rules that keep the architecture of docs/house-rules.md honest.
import path from "node:path";
import tseslint from "typescript-eslint";

// The pure core imports nothing but itself, decimals and zod (an allow-list: a new I/O module cannot slip through).
// A pure risk core (lib/risk) is planned; when it exists, add "lib/risk/**/*.ts" to the pure block's files, allow
// `@/lib/(trading|risk)/` here and say "lib/trading and lib/risk are pure: only ./*, @/lib/trading, @/lib/risk,
// decimal.js and zod." in its message.
const pureOnly = "^(?!\\./(?!\\.)|decimal\\.js$|zod$|@/lib/trading/)";
// Code that workers load (everything in lib/ but the web-only auth and HTTP wrappers) never reaches into Next.js.
const webOnly = [
  "next",
  "next/*",
  "next-auth",
  "next-auth/*",
  "react",
  "react-dom",
  "@/app/*",
  "@/components/*",
  "@/lib/auth/session",
  "@/lib/auth/config",
  "@/lib/auth/current-user",
  "@/lib/http/*",
];

// Test kits and harnesses (lib/testing) are for tests only; the worker process entry and its processors (workers/)
// sit above lib/. Matched on `@/`, `./` and `../` specifiers alike.
const testingKits = {
  regex: "^(@/|\\./|(\\.\\./)+)(lib/)?testing(/|$)",
  message: "Production code never imports lib/testing (test kits); move the shared piece out of lib/testing.",
};
const workerModules = {
  regex: "^(@/|\\./|(\\.\\./)+)workers(/|$)",
  message: "lib/ never imports workers/: processors and the worker entry build on lib, not the other way round.",
};
// Where production code ends: tests, test kits, browser journeys and benchmarks may use lib/testing.
const notProduction = ["**/*.test.ts", "**/*.test.tsx", "lib/testing/**", "e2e/**", "bench/**"];

// Several import boundaries use typescript-eslint's no-restricted-imports (it understands `import type`). In flat
// config a later block's options for the same rule id replace an earlier block's, so each boundary gets its own rule
// id (the same implementation under a name of its own) and no boundary can silently switch another off.
const tsRestrict = tseslint.plugin.rules["no-restricted-imports"];
const layers = {
  rules: { "test-kits": tsRestrict, workers: tsRestrict, "db-access": tsRestrict, "component-services": tsRestrict },
};

// Each subsystem folder lib/services/<x>/ is entered only through its index.ts. Outside the folder, import
// `@/lib/services/<x>`, never a file inside it; inside, siblings import each other relatively (`./file`) and another
// subsystem through its entry, never by climbing into its folder (`../<y>/file`). A file inside the folder never
// imports its own entry (tests may: they exercise the surface); that would be a climb back up the layers.
const root = import.meta.dirname;
const servicesBoundary = {
  meta: {
    type: "problem",
    schema: [
      {
        type: "object",
        properties: { pending: { type: "array", items: { type: "string" } } },
        additionalProperties: false,
      },
    ],
    messages: {
      deep: "Import the subsystem's entry `@/lib/services/{{subsystem}}`, not its internal file `{{spec}}`.",
      ownAlias: "Inside lib/services/{{subsystem}}/, import siblings relatively (`./file`), not as `{{spec}}`.",
      relativeEntry: "Import another subsystem as `@/lib/services/{{subsystem}}`, not by a relative path `{{spec}}`.",
      ownEntry:
        "A file inside lib/services/{{subsystem}}/ never imports its own entry (index.ts imports it, not back).",
    },
  },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join("/");
    const own = /^lib\/services\/([^/]+)\//.exec(file)?.[1];
    const isTest = /\.test\.tsx?$/.test(file);
    const pending = new Set(context.options[0]?.pending ?? []);
    function check(node, source) {
      const spec = source?.value;
      if (typeof spec !== "string") return;
      const alias = spec.startsWith("@/");
      if (!alias && !spec.startsWith(".")) return;
      const target = alias ? spec.slice(2) : path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const m = /^lib\/services\/([^/]+)(\/(.+))?$/.exec(target.replace(/\/index(\.ts)?$/, ""));
      if (!m) return;
      const [, subsystem, , inner] = m;
      if (pending.has(subsystem)) return;
      const data = { subsystem, spec };
      if (subsystem !== own) {
        if (inner) context.report({ node, messageId: "deep", data });
        else if (!alias) context.report({ node, messageId: "relativeEntry", data });
      } else if (inner && alias) context.report({ node, messageId: "ownAlias", data });
      else if (!inner && !isTest) context.report({ node, messageId: "ownEntry", data });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "lib/generated/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.{ts,tsx,mjs}"],
    plugins: { mirrordesk: { rules: { "services-boundary": servicesBoundary } }, layers },
    // Subsystems still moving their public surface into index.ts: their imports are not checked yet. Remove a name
    // once its folder complies; the list only ever shrinks.
    rules: { "mirrordesk/services-boundary": "error" },
  },
  {
    files: [
      "lib/**/*.ts",
      "workers/**/*.ts",
      "app/**/*.{ts,tsx}",
      "components/**/*.{ts,tsx}",
      "prisma/**/*.ts",
      "scripts/**/*.ts",
    ],
    ignores: ["lib/env.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read the environment through lib/env.ts only." },
      ],
    },
  },
  {
    files: ["workers/**/*.ts", "lib/**/*.ts"],
    ignores: ["lib/auth/**", "lib/http/**", "lib/testing/**", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: webOnly,
              message: "Workers (and the lib code they load) never import Next.js, React, auth sessions or app code.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/trading/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: pureOnly,
              message: "lib/trading is pure: only ./*, @/lib/trading, decimal.js and zod.",
            },
          ],
        },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Pure core: pass time in." },
        { object: "Math", property: "random", message: "Pure core: pass randomness in." },
        { object: "process", property: "env", message: "Read the environment through lib/env.ts only." },
      ],
    },
  },
  {
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: notProduction,
    rules: { "layers/test-kits": ["error", { patterns: [testingKits] }] },
  },
  {
    // lib/testing is left out: its kits drive the real workers/processors, as the worker does.
    files: ["lib/**/*.{ts,tsx}"],
    ignores: ["lib/testing/**"],
    rules: { "layers/workers": ["error", { patterns: [workerModules] }] },
  },
  {
    // Database access lives in lib/db (docs/database-access.md): services compose query functions from lib/db/queries,
    // inside inTransaction when they must commit together. Outside lib/db only row types (import type) and closing
    // the pool at shutdown are allowed. Exempt: tests, test kits (lib/testing), operator scripts, the seed and the
    // benchmarks, which set up and inspect rows directly.
    files: ["**/*.{ts,tsx}"],
    ignores: ["lib/db/**", "**/*.test.ts", "lib/testing/**", "scripts/**", "prisma/**", "bench/**", "prisma.config.ts"],
    rules: {
      "layers/db-access": [
        "error",
        {
          paths: [
            {
              name: "@/lib/db/client",
              allowImportNames: ["disconnectDb"],
              message: "Only lib/db uses the Prisma client: call a query function from lib/db/queries instead.",
            },
          ],
          patterns: [
            {
              regex: "^\\.{1,2}/(.*/)?db/client$",
              message: "Only lib/db uses the Prisma client: call a query function from lib/db/queries instead.",
            },
            {
              group: ["@/lib/generated/*", "@prisma/*"],
              allowTypeImports: true,
              message: "Prisma's runtime stays in lib/db; outside it only `import type` of its row types.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/db/*", "@/lib/generated/*", "@prisma/*"],
              message: "Components never import Prisma or the database, not even their types: name a service's shape.",
            },
          ],
        },
      ],
      // Components run in the browser: they never load a service, but they may name the JSON shapes services return
      // (`import type` is erased at build time), so each response shape is written once, beside the code building it.
      "layers/component-services": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/services/*"],
              allowTypeImports: true,
              message: "Components never import services; `import type` of the shapes they return is fine.",
            },
          ],
        },
      ],
    },
  },
);
