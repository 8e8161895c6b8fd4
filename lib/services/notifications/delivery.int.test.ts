/**
 * Notifications delivered by a real worker to a local Bot API server and a local SMTP server process: text, chat and
 * recipient; Telegram's retry_after honoured; refusals end FAILED with one in-app alert; choices respected; a sent
 * message never absorbs the next burst.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { enqueueNotification, type NotificationEventInput } from "@/lib/queues/notifications";
import { startBotApiServer, type BotApiServer } from "@/lib/testing/bot-api-server";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import {
  messagesOf,
  sendNow,
  setUpTelegram,
  startNotificationsWorker,
  testDeliveryConfig,
  waitForSettled,
} from "@/lib/testing/notify-kit";
import { startSmtpSink } from "@/lib/testing/smtp-sink";
import { waitFor, waitUntil } from "@/lib/testing/wait";
import { saveNotificationSettings, sendTestNotification } from ".";

let bot: BotApiServer;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let worker: Awaited<ReturnType<typeof startNotificationsWorker>> | null = null;

beforeAll(async () => {
  bot = await startBotApiServer();
  smtp = await startSmtpSink();
});
beforeEach(async () => {
  await worker?.close();
  worker = null;
  await resetState();
  await smtp.setMode("accept");
  bot.setDown(false);
});
afterAll(async () => {
  await worker?.close();
  await bot.close();
  await smtp.close();
  await closeConnections();
});

const config = () => testDeliveryConfig(bot, smtp.url);
const event = (ownerId: string, over: Partial<NotificationEventInput> = {}): NotificationEventInput => ({
  ownerId,
  kind: "RISK",
  title: "Max loss hit on Short straddle",
  body: "P&L -₹25,000.00 reached the max loss ₹25,000.00: exiting.",
  batchKey: `risk:${Math.random()}`,
  severity: "CRITICAL",
  at: new Date().toISOString(),
  ...over,
});

describe("delivery", () => {
  it("sends to the chat through the local Bot API, the token only in the path, and the in-app copy too", async () => {
    const trader = await makeUser("TRADER");
    const { token, chatId } = await setUpTelegram(bot, trader, config(), {
      preferences: { RISK: ["IN_APP", "TELEGRAM"] },
    });
    worker = await startNotificationsWorker(config());
    await enqueueNotification(event(trader.id));
    const [tg] = await waitForSettled(trader.id, "TELEGRAM", 1);
    const [inApp] = await waitForSettled(trader.id, "IN_APP", 1);
    expect(tg).toMatchObject({ status: "SENT", attempts: 1, lastError: null, events: 1 });
    expect(inApp).toMatchObject({ status: "SENT", title: "Max loss hit on Short straddle" });
    const sent = bot.calls.filter((c) => c.method === "sendMessage" && c.token === token);
    expect(sent).toHaveLength(1);
    expect(sent[0].path).toBe(`/bot${token}/sendMessage`);
    expect(sent[0].params.chat_id).toBe(chatId);
    expect(sent[0].params.text).toBe(
      "Max loss hit on Short straddle\n\nP&L -₹25,000.00 reached the max loss ₹25,000.00: exiting.",
    );
    expect(JSON.stringify(sent[0].params)).not.toContain(token);
  });

  it("waits as long as Telegram's retry_after says, then delivers", async () => {
    const trader = await makeUser("TRADER");
    const { token } = await setUpTelegram(bot, trader, config(), { preferences: { RISK: ["TELEGRAM"] } });
    bot.failNext(1, { status: 429, description: "Too Many Requests: retry after 2", retryAfter: 2 });
    worker = await startNotificationsWorker(config());
    await enqueueNotification(event(trader.id));
    const [row] = await waitForSettled(trader.id, "TELEGRAM", 1);
    expect(row).toMatchObject({ status: "SENT", attempts: 2 });
    const tries = bot.calls.filter((c) => c.method === "sendMessage" && c.token === token);
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
    // Not before the 2 s the server asked for (the worker may be later on a busy machine, never earlier).
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(2_000);
    expect(await messagesOf(trader.id, "IN_APP")).toHaveLength(0);
  });

  it("ends FAILED with the Bot API's reason on a wrong token, and raises one in-app alert however often it fails", async () => {
    const trader = await makeUser("TRADER");
    await setUpTelegram(bot, trader, config(), { preferences: { RISK: ["TELEGRAM"], FILL: ["TELEGRAM"] } }, false);
    worker = await startNotificationsWorker(config());
    await enqueueNotification(event(trader.id));
    await enqueueNotification(event(trader.id, { kind: "FILL", batchKey: "fill:x", title: "Filled", body: "x" }));
    const rows = await waitForSettled(trader.id, "TELEGRAM", 2);
    for (const r of rows) expect(r).toMatchObject({ status: "FAILED", attempts: 1, lastError: "401: Unauthorized" });
    const alerts = await db().alert.findMany({ where: { ownerId: trader.id, resolvedAt: null } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "notification_failed", severity: "WARNING" });
    expect(alerts[0].message).toContain("401: Unauthorized");
  });

  it("e-mails the address through the SMTP server: recipient, subject and body; a refused mailbox ends FAILED", async () => {
    const trader = await makeUser("TRADER");
    await saveNotificationSettings(
      trader,
      { email: "trader@desk.test", preferences: { RISK: ["EMAIL"] } },
      null,
      config(),
    );
    worker = await startNotificationsWorker(config());
    await enqueueNotification(event(trader.id));
    await waitForSettled(trader.id, "EMAIL", 1);
    await waitUntil(() => smtp.messages.length === 1, 10_000, "mail received");
    expect(smtp.messages[0]).toMatchObject({
      user: "mirrordesk",
      envelopeTo: ["trader@desk.test"],
      subject: "MirrorDesk: Max loss hit on Short straddle",
    });
    expect(smtp.messages[0].text).toContain("P&L -₹25,000.00 reached the max loss ₹25,000.00: exiting.");
    expect(await sendTestNotification(trader, "EMAIL", config())).toEqual({
      channel: "EMAIL",
      delivered: true,
      error: null,
    });
    expect(smtp.messages[1]).toMatchObject({ envelopeTo: ["trader@desk.test"], subject: "MirrorDesk: Test message" });

    await smtp.setMode("refuse");
    await enqueueNotification(event(trader.id));
    const rows = await waitForSettled(trader.id, "EMAIL", 2);
    expect(rows[1]).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(rows[1].lastError).toMatch(/^550 /);
    expect(smtp.messages).toHaveLength(2);
  });

  it("retries a busy SMTP server with backoff and delivers once it accepts", async () => {
    const trader = await makeUser("TRADER");
    await saveNotificationSettings(trader, { email: "t@desk.test", preferences: { RISK: ["EMAIL"] } }, null, config());
    await smtp.setMode("busy");
    worker = await startNotificationsWorker(config());
    await enqueueNotification(event(trader.id));
    const [pending] = await waitFor(
      "a failed first attempt",
      () => messagesOf(trader.id, "EMAIL"),
      (r) => r[0]?.attempts === 1,
    );
    expect(pending).toMatchObject({ status: "PENDING" });
    expect(pending.lastError).toMatch(/^421 /);
    await smtp.setMode("accept");
    const [row] = await waitForSettled(trader.id, "EMAIL", 1);
    expect(row.status).toBe("SENT");
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect(smtp.messages.filter((m) => m.envelopeTo.includes("t@desk.test"))).toHaveLength(1);
  });

  it("follows each kind's choices: nothing for a kind switched off, only the channels chosen", async () => {
    const trader = await makeUser("TRADER");
    await setUpTelegram(bot, trader, config(), { preferences: { FILL: [], RISK: ["TELEGRAM"] } });
    worker = await startNotificationsWorker(config());
    await enqueueNotification(event(trader.id, { kind: "FILL", batchKey: "fill:1", title: "Filled", body: "1 lot" }));
    await enqueueNotification(event(trader.id, { kind: "ACCOUNT", batchKey: "account:down", title: "acct down" }));
    await enqueueNotification(event(trader.id));
    await waitForSettled(trader.id, "TELEGRAM", 1);
    await waitForSettled(trader.id, "IN_APP", 1);
    const rows = await messagesOf(trader.id);
    expect(rows.map((r) => `${r.kind}/${r.channel}`).sort()).toEqual(["ACCOUNT/IN_APP", "RISK/TELEGRAM"]);
  });

  it("folds a burst into one message, and the next burst of the same key into a new one", async () => {
    const trader = await makeUser("TRADER");
    const slow = testDeliveryConfig(bot, smtp.url, 60_000);
    worker = await startNotificationsWorker(slow);
    for (const name of ["acct 1", "acct 2", "acct 3"])
      await enqueueNotification(event(trader.id, { kind: "ACCOUNT", batchKey: "account:down", title: `${name} down` }));
    const [open] = await waitFor(
      "3 events folded",
      () => messagesOf(trader.id),
      (r) => r[0]?.events === 3,
    );
    // Events are folded as the worker takes them (several at a time), so in any order.
    expect(open).toMatchObject({ status: "PENDING", title: expect.stringMatching(/^acct [123] down \(\+2 more\)$/) });
    expect(open.body.split("\n").sort()).toEqual(
      ["acct 1 down", "acct 2 down", "acct 3 down"].map((t) => `${t}: ${event(trader.id).body}`),
    );
    await sendNow(open.id);
    await waitForSettled(trader.id, "IN_APP", 1);
    await enqueueNotification(event(trader.id, { kind: "ACCOUNT", batchKey: "account:down", title: "acct 4 down" }));
    const rows = await waitFor(
      "a second message",
      () => messagesOf(trader.id),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => [r.events, r.status])).toEqual([
      [3, "SENT"],
      [1, "PENDING"],
    ]);
    expect(rows[0].batchKey).toBe(`account:down#${rows[0].id}`);
  });

  it("send test answers with the outcome: delivered, or the Bot API's words", async () => {
    const trader = await makeUser("TRADER");
    const { chatId } = await setUpTelegram(bot, trader, config());
    expect(await sendTestNotification(trader, "TELEGRAM", config())).toEqual({
      channel: "TELEGRAM",
      delivered: true,
      error: null,
    });
    expect(bot.messages().at(-1)).toMatchObject({ chatId });
    await saveNotificationSettings(trader, { telegramChatId: "999" }, null, config());
    expect(await sendTestNotification(trader, "TELEGRAM", config())).toEqual({
      channel: "TELEGRAM",
      delivered: false,
      error: "400: Bad Request: chat not found",
    });
    bot.setDown(true);
    const down = await sendTestNotification(trader, "TELEGRAM", config());
    expect(down.delivered).toBe(false);
    expect(down.error).toMatch(/^Telegram unreachable/);
  });
});
