// Lint rules that keep the architecture of STYLE.md honest.
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
              group: ["@/lib/db/*", "@/lib/generated/*", "@prisma/*"],
              message: "Components never import Prisma or the database, not even their types: name a service's shape.",
            },
          ],
        },
      ],
      // Components run in the browser: they never load a service, but they may name the JSON shapes services return
      // (`import type` is erased at build time), so each response shape is written once, beside the code building it.
      "@typescript-eslint/no-restricted-imports": [
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
