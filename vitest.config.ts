import path from "node:path";
import { defineConfig } from "vitest/config";

// Tests run against the real Postgres and Redis; scripts/test.sh prepares the test database first.
const testEnv = {
  NODE_ENV: "test" as const,
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_test",
  REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/1",
  AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
  AUTH_TRUST_HOST: "true",
  LOG_LEVEL: "silent",
  SIM_ADMIN_TOKEN: "test-sim-admin-token",
  // The simulator in tests is always open; tests of the MIS cut-off pass their own clock.
  MARKET_ALWAYS_OPEN: "true",
  // A fixed, public test key: never use it outside tests.
  CREDENTIAL_KEYS: "v1:dGVzdC1vbmx5LWNyZWRlbnRpYWwta2V5LTMyYnl0ZXM=",
  // Requests in tests carry X-Forwarded-For as one trusted proxy would write it (lib/testing/fixtures.ts jsonRequest).
  TRUSTED_PROXY_HOPS: "1",
  // No test may reach the real Telegram: a bot token saved in a test goes to the discard port unless the test points
  // deliveries at its local Bot API server (lib/testing/bot-api-server.ts).
  TELEGRAM_API_ROOT: "http://127.0.0.1:9",
};

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    env: testEnv,
    // next-auth imports `next/server` without an extension, which Node's ESM resolver refuses; let Vite resolve it.
    server: { deps: { inline: ["next-auth"] } },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "workers/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          // Limits, not measurements: a loaded CI machine can take seconds to start ESLint for the lint tests.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["lib/**/*.int.test.ts", "workers/**/*.int.test.ts", "app/**/*.int.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration files share one database and one Redis; run them one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
