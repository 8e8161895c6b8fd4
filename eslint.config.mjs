// Lint rules that keep the architecture of STYLE.md honest.
import path from "node:path";
import tseslint from "typescript-eslint";

// The pure core imports nothing but itself, decimals and zod (an allow-list: a new I/O module cannot slip through).
const pureOnly = "^(?!\\./(?!\\.)|decimal\\.js$|zod$|@/lib/(trading|risk)/)";
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
    plugins: { mirrordesk: { rules: { "services-boundary": servicesBoundary } } },
    // Subsystems still moving their public surface into index.ts: their imports are not checked yet. Remove a name
    // once its folder complies; the list only ever shrinks.
    rules: { "mirrordesk/services-boundary": ["error", { pending: ["dispatch", "fills"] }] },
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
    files: ["lib/trading/**/*.ts", "lib/risk/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: pureOnly,
              message: "lib/trading and lib/risk are pure: only ./*, @/lib/trading, @/lib/risk, decimal.js and zod.",
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
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/db/*", "@/lib/services/*", "@/lib/generated/*", "@prisma/*"],
              message: "Components never import Prisma or services.",
            },
          ],
        },
      ],
    },
  },
);
