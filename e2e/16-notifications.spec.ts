import { expect, test, type Page } from "@playwright/test";
import { startBotApiServer, type BotApiServer } from "@/lib/testing/bot-api-server";
import { TELEGRAM_PORT } from "./people";
import { sameOrigin, traderWithAccounts } from "./steps";

// Notifications in the browser (docs/notifications.md): a trader sets up Telegram on Settings → Notifications against
// a local Bot API server, sends a test (delivered, then refused with the Bot API's words), chooses Telegram for the
// kill switch, and engaging it rings the bell live and reaches the chat. Self-contained: its own trader and account.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const trader = { name: "Nina Notify", email: `nina-${STAMP}@example.in`, password: "notify-pass-2026" };
const TOKEN = `7123456789:AAE${STAMP.padEnd(32, "x")}`;
const CHAT = "555000111";

let bot: BotApiServer;
test.beforeAll(async () => {
  bot = await startBotApiServer(TELEGRAM_PORT);
  bot.addBot(TOKEN);
  bot.addChat(CHAT);
});
test.afterAll(async () => {
  await bot?.close();
});

async function shoot(page: Page, name: string, testInfo: { outputPath: (n: string) => string }) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    const path = testInfo.outputPath(`${name}-${width}.png`);
    await page.screenshot({ path, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("Telegram set up, tested and told of the kill switch; the bell rings live", async ({ page }, testInfo) => {
  await traderWithAccounts(page, trader, [{ instance: `nt-${STAMP}`, name: "Notify One", capital: "1500000" }]);
  await page.goto("/settings");
  await page.getByRole("link", { name: "Notifications", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Notifications", exact: true })).toBeVisible();
  // The bell takes room in the header: every link still shows on a 1280 px screen, Risk included.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" })).toBeInViewport({
    ratio: 1,
  });

  await page.getByLabel("Chat id").fill(CHAT);
  await page.getByLabel("Bot token").fill(TOKEN);
  await page.getByRole("button", { name: "Save Telegram" }).click();
  await expect(page.getByLabel("Bot token")).toHaveAttribute(
    "placeholder",
    `stored, ends in ${TOKEN.slice(-4)} (blank keeps it)`,
  );
  await expect(page.getByLabel("Bot token")).toHaveValue("");

  const telegram = page.locator("section").filter({ has: page.getByRole("heading", { name: "Telegram" }) });
  await telegram.getByRole("button", { name: "Send test" }).click();
  await expect(telegram.getByRole("status")).toHaveText("Test message delivered.");
  expect(
    bot
      .messages()
      .filter((m) => m.token === TOKEN)
      .map((m) => m.chatId),
  ).toEqual([CHAT]);

  await page.getByLabel("Chat id").fill("999000999");
  await page.getByRole("button", { name: "Save Telegram" }).click();
  await expect(page.getByLabel("Chat id")).toHaveValue("999000999");
  await telegram.getByRole("button", { name: "Send test" }).click();
  await expect(telegram.getByRole("status")).toHaveText("Not delivered: 400: Bad Request: chat not found");
  await page.getByLabel("Chat id").fill(CHAT);
  await page.getByRole("button", { name: "Save Telegram" }).click();

  await page.getByLabel("Kill switch by Telegram").check();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("button", { name: "Save choices" })).toBeDisabled();

  const engaged = await page.request.post("/api/kill-switch", {
    headers: sameOrigin(page),
    data: { action: "engage", scope: "mine", reason: "notification journey" },
  });
  expect(engaged.status(), await engaged.text()).toBe(200);
  // Live: the stream's notification event re-reads the bell, no reload.
  await expect(page.getByTestId("unread-count")).toHaveText("1", { timeout: 20_000 });
  await expect.poll(() => bot.messages().filter((m) => m.chatId === CHAT).length, { timeout: 20_000 }).toBe(2);
  expect(bot.messages().at(-1)?.text).toMatch(
    /^Kill switch engaged\n\nEngaged for your accounts \(notification journey\)/,
  );

  await page.getByRole("button", { name: /Notifications, 1 unread/ }).click();
  await expect(page.locator("#notification-list")).toContainText("Kill switch engaged");
  await expect(page.getByTestId("unread-count")).toHaveCount(0);
  await shoot(page, "notification-bell", testInfo);
  await page.keyboard.press("Escape");
  await page.reload();
  await expect(page.getByRole("cell", { name: /Kill switch engaged/ }).first()).toBeVisible();
  await shoot(page, "notification-settings", testInfo);
});
