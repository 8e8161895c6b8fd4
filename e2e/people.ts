/** People the browser journeys create, in order: 01-auth registers the admin, later specs sign in as them. */
export const admin = { name: "Asha Admin", email: "asha@example.in", password: "correct-horse-42" };
export const viewer = { name: "Vikram Viewer", email: "vikram@example.in", password: "viewer-pass-2026" };

/** The e2e simulator (playwright.config.ts starts it on these ports with this admin token). */
export const SIM = {
  http: `http://127.0.0.1:${process.env.SIM_HTTP_PORT ?? 5155}`,
  ws: `ws://127.0.0.1:${process.env.SIM_WS_PORT ?? 8865}`,
  adminToken: "test-sim-admin-token",
};

/** The local Telegram Bot API server's port (playwright.config.ts points the web app and the worker at it). */
export const TELEGRAM_PORT = Number(process.env.TEST_TELEGRAM_PORT ?? Number(process.env.TEST_WEB_PORT ?? 3100) + 1000);
