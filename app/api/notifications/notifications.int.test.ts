/**
 * The notification routes: settings (the bot token never shown, blank keeps it), 4xx naming the field, send test's
 * missing settings, one's own list and read marks only — and the bot token found nowhere it must not be: responses,
 * log lines, job payloads, Redis, any database text, any Bot API request but the path of its own host.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { redirectLog } from "@/lib/log";
import { enqueueNotification } from "@/lib/queues/notifications";
import { queue } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { sendTestNotification } from "@/lib/services/notifications";
import { startBotApiServer, type BotApiServer } from "@/lib/testing/bot-api-server";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import {
  messagesOf,
  newBotToken,
  startNotificationsWorker,
  testDeliveryConfig,
  waitForSettled,
} from "@/lib/testing/notify-kit";
import { everyDatabaseText, everyRedisValue } from "@/lib/testing/secret-search";
import { GET as listRoute } from "./route";
import { POST as readRoute } from "./read/route";
import { GET as getSettings, PUT as putSettings } from "./settings/route";
import { POST as testRoute } from "./test/route";

let bot: BotApiServer;
const logLines: string[] = [];

beforeAll(async () => {
  bot = await startBotApiServer();
  redirectLog(new Writable({ write: (chunk, _enc, cb) => (logLines.push(chunk.toString()), cb()) }));
});
beforeEach(resetState);
afterAll(async () => {
  await bot.close();
  await closeConnections();
});

const put = (cookie: string, body: unknown) =>
  putSettings(jsonRequest("/api/notifications/settings", { method: "PUT", body, cookie }));
const fieldsOf = async (res: Response) =>
  ((await res.json()) as { error: { fields?: Record<string, string[]> } }).error.fields;

describe("notification settings and messages over HTTP", () => {
  it("shows the bot token only as its last 4, keeps it when left blank and forgets it when asked", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const token = newBotToken();
    const saved = await put(cookie, { telegramChatId: "123456789", telegramBotToken: token, email: "t@desk.test" });
    expect(saved.status).toBe(200);
    const view = await saved.json();
    expect(view.telegram).toEqual({ chatId: "123456789", tokenLast4: token.slice(-4), ready: true });
    expect(view.email).toEqual({ address: "t@desk.test", ready: false, serverConfigured: false });
    expect(view.preferences.FILL).toEqual(["IN_APP"]);

    const kept = await put(cookie, { telegramBotToken: "", preferences: { FILL: ["IN_APP", "TELEGRAM"] } });
    expect((await kept.json()).telegram.tokenLast4).toBe(token.slice(-4));
    const read = await (await getSettings(jsonRequest("/x", { cookie }))).json();
    expect(read.preferences.FILL).toEqual(["IN_APP", "TELEGRAM"]);

    // Telegram chosen for fills: forgetting the token is refused until fills stop using it.
    const refused = await put(cookie, { clearTelegramToken: true });
    expect(refused.status).toBe(400);
    expect(await fieldsOf(refused)).toEqual({ "preferences.FILL": ["Telegram needs a chat id and a bot token first"] });
    const cleared = await put(cookie, { clearTelegramToken: true, preferences: { FILL: ["IN_APP"] } });
    expect((await cleared.json()).telegram).toEqual({ chatId: "123456789", tokenLast4: null, ready: false });
    expect(await db().auditLog.count({ where: { action: "notifications.settings", actorId: trader.id } })).toBe(3);
  });

  it("answers 400 naming the field for bad input, and send test names the setting that is missing", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    for (const [body, field] of [
      [{ telegramChatId: "not a chat" }, "telegramChatId"],
      [{ telegramBotToken: "12345" }, "telegramBotToken"],
      [{ email: "nobody" }, "email"],
      [{ preferences: { FILL: ["PIGEON"] } }, "preferences.FILL.0"],
      [{ preferences: { WEATHER: ["IN_APP"] } }, "preferences"],
      [{ preferences: { RISK: ["EMAIL"] } }, "preferences.RISK"],
      [{ surprise: true }, "_"],
    ] as const) {
      const res = await put(cookie, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys((await fieldsOf(res)) ?? {}), JSON.stringify(body)).toContain(field);
    }
    const test = (channel: string) => testRoute(jsonRequest("/x", { body: { channel }, cookie }));
    const tg = await test("TELEGRAM");
    expect(tg.status).toBe(400);
    expect(Object.keys((await fieldsOf(tg)) ?? {}).sort()).toEqual(["telegramBotToken", "telegramChatId"]);
    await put(cookie, { email: "t@desk.test" });
    const mail = await test("EMAIL");
    expect(mail.status).toBe(400);
    expect(await fieldsOf(mail)).toEqual({ channel: ["This server has no SMTP server (SMTP_URL): ask the admin"] });
    expect((await test("IN_APP")).status).toBe(400);
    // A viewer manages their own settings too.
    const viewer = await sessionCookie(await makeUser("VIEWER"));
    expect((await put(viewer, { email: "v@desk.test" })).status).toBe(200);
  });

  it("lists and marks read only one's own in-app messages", async () => {
    const [a, b] = [await makeUser("TRADER"), await makeUser("TRADER")];
    const worker = await startNotificationsWorker(testDeliveryConfig(null, null, 20));
    try {
      for (const u of [a, b])
        await enqueueNotification({
          ownerId: u.id,
          kind: "KILL_SWITCH",
          title: `for ${u.name}`,
          body: "engaged",
          batchKey: "kill-switch",
          at: new Date().toISOString(),
        });
      await waitForSettled(a.id, "IN_APP", 1);
      await waitForSettled(b.id, "IN_APP", 1);
    } finally {
      await worker.close();
    }
    const [cookieA, cookieB] = [await sessionCookie(a), await sessionCookie(b)];
    const list = await (await listRoute(jsonRequest("/api/notifications?channel=IN_APP", { cookie: cookieA }))).json();
    expect(list.unread).toBe(1);
    expect(list.notifications.map((n: { title: string }) => n.title)).toEqual([`for ${a.name}`]);
    const bId = (await messagesOf(b.id))[0].id;
    const other = await readRoute(jsonRequest("/x", { body: { ids: [bId] }, cookie: cookieA }));
    expect(await other.json()).toEqual({ unread: 1 });
    expect((await readRoute(jsonRequest("/x", { body: { all: true }, cookie: cookieA }))).status).toBe(200);
    expect((await messagesOf(a.id))[0].readAt).not.toBeNull();
    expect((await messagesOf(b.id))[0].readAt).toBeNull();
    const bList = await (await listRoute(jsonRequest("/api/notifications", { cookie: cookieB }))).json();
    expect(bList.unread).toBe(1);
    expect((await listRoute(jsonRequest("/api/notifications?limit=0", { cookie: cookieB }))).status).toBe(400);
  });

  it("never lets the bot token out: responses, logs, jobs, Redis and the database hold at most its ciphertext", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const [token, wrong] = [newBotToken(), newBotToken()];
    bot.addBot(token);
    bot.addChat("424242");
    logLines.length = 0;
    const seen: string[] = [];
    const config = testDeliveryConfig(bot, null, 20);
    seen.push(await (await put(cookie, { telegramChatId: "424242", telegramBotToken: token })).text());
    seen.push(await (await put(cookie, { preferences: { RISK: ["IN_APP", "TELEGRAM"] } })).text());
    seen.push(await (await getSettings(jsonRequest("/x", { cookie }))).text());
    seen.push(JSON.stringify(await sendTestNotification(trader, "TELEGRAM", config)));
    const worker = await startNotificationsWorker(config);
    try {
      const risk = {
        ownerId: trader.id,
        kind: "RISK" as const,
        title: "Max loss",
        body: "exiting",
        at: new Date().toISOString(),
      };
      await enqueueNotification({ ...risk, batchKey: "risk:1" });
      await waitForSettled(trader.id, "TELEGRAM", 1);
      // A token the Bot API refuses: its failure is recorded, alerted and logged — without the token.
      seen.push(await (await put(cookie, { telegramBotToken: wrong })).text());
      await enqueueNotification({ ...risk, batchKey: "risk:2" });
      await waitForSettled(trader.id, "TELEGRAM", 2);
    } finally {
      await worker.close();
    }
    seen.push(await (await listRoute(jsonRequest("/api/notifications", { cookie }))).text());
    expect((await messagesOf(trader.id, "TELEGRAM")).map((m) => m.status)).toEqual(["SENT", "FAILED"]);

    const jobs = [];
    for (const name of Object.values(QUEUES))
      jobs.push(...(await queue(name).getJobs(["waiting", "active", "delayed", "failed", "completed"])));
    const places = [
      ...seen.map((value, i) => ({ where: `response ${i}`, value })),
      ...logLines.map((value, i) => ({ where: `log line ${i}`, value })),
      ...jobs.map((j) => ({
        where: `job ${j.queueName}/${j.id}`,
        value: JSON.stringify([j.data, j.opts, j.failedReason]),
      })),
      ...(await everyDatabaseText()),
      ...(await everyRedisValue()),
      ...bot.calls.map((c) => ({ where: `Bot API params ${c.method}`, value: JSON.stringify(c.params) })),
    ];
    // The search reaches real data: notification jobs, the token's last 4, the failure in the logs.
    expect(jobs.some((j) => j.queueName === QUEUES.notifications)).toBe(true);
    expect(seen.join("")).toContain(token.slice(-4));
    expect(logLines.some((l) => l.includes("401: Unauthorized"))).toBe(true);
    for (const secret of [token, wrong])
      expect(places.filter((p) => p.value.includes(secret)).map((p) => p.where)).toEqual([]);
    // The token went out only as the Bot API wants it: in the path, to the configured host.
    expect(bot.calls.filter((c) => c.token === token).every((c) => c.path.startsWith(`/bot${token}/`))).toBe(true);
  });
});
