// Lint rules that keep the architecture of STYLE.md honest.
import tseslint from "typescript-eslint";

const io = ["@/lib/db/*", "@/lib/generated/*", "@prisma/*", "pg", "ioredis", "bullmq", "node:*", "fs", "net", "http", "https", "ws", "@/lib/queues/*", "@/lib/services/*", "@/lib/brokers/*", "@/lib/env"];

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "lib/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["lib/**/*.ts", "workers/**/*.ts", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "prisma/**/*.ts", "scripts/**/*.ts"],
    ignores: ["lib/env.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read the environment through lib/env.ts only." }],
    },
  },
  {
    files: ["workers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["next", "next/*", "next-auth", "next-auth/*", "react", "@/app/*", "@/components/*"], message: "Workers never import Next.js, React or app code." }] }],
    },
  },
  {
    files: ["lib/trading/**/*.ts", "lib/risk/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: io, message: "lib/trading and lib/risk are pure: no I/O imports." }] }],
      "no-restricted-properties": ["error",
        { object: "Date", property: "now", message: "Pure core: pass time in." },
        { object: "Math", property: "random", message: "Pure core: pass randomness in." },
        { object: "process", property: "env", message: "Read the environment through lib/env.ts only." }],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/lib/db/*", "@/lib/services/*", "@/lib/generated/*", "@prisma/*"], message: "Components never import Prisma or services." }] }],
    },
  },
);
