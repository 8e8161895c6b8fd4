import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

// Browser journeys against the built app, the worker and the exchange simulator, in Debian's Chromium.
// scripts/test.sh prepares the environment (test database, Redis index) and exports it to these processes.
const PORT = Number(process.env.TEST_WEB_PORT ?? 3100);
// The web app accepts state-changing requests only from its own origin (APP_URL), which is this suite's web origin.
const APP_URL = `http://127.0.0.1:${PORT}`;
// The local Telegram Bot API server the notification journey starts (e2e/people.ts TELEGRAM_PORT): bot tokens saved in the
// browser suite go there, never to Telegram.
const TELEGRAM_API_ROOT = `http://127.0.0.1:${Number(process.env.TEST_TELEGRAM_PORT ?? PORT + 1000)}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e-artifacts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: APP_URL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: [
    {
      name: "web",
      command: `npx next start -H 127.0.0.1 -p ${PORT}`,
      env: { ...(process.env as Record<string, string>), APP_URL, TELEGRAM_API_ROOT },
      url: `http://127.0.0.1:${PORT}/api/health`,
      timeout: 90_000,
      reuseExistingServer: false,
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      name: "worker",
      command: "npx tsx workers/index.ts",
      // Readiness is the "worker started" log line, which needs info level whatever the suite's LOG_LEVEL.
      env: { ...(process.env as Record<string, string>), LOG_LEVEL: "info", TELEGRAM_API_ROOT },
      wait: { stdout: /worker started/ },
      timeout: 60_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    ...(existsSync("workers/simulator.ts")
      ? [
          {
            name: "simulator",
            command: "npx tsx workers/simulator.ts",
            wait: { stdout: /simulator listening/ },
            timeout: 60_000,
            gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
          },
        ]
      : []),
  ],
});
