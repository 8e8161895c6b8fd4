/**
 * A user's own notification channels and choices, and "send test" (docs/notifications.md "Settings"). The bot token
 * is stored encrypted, bound to the user, and shown only as its last 4 characters; a blank token keeps the stored one.
 */
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  findNotificationSettings,
  upsertNotificationSettings,
  type NotificationSettingsRow,
} from "@/lib/db/queries/notifications";
import { inTransaction } from "@/lib/db/transaction";
import { RateLimitedError, ValidationError } from "@/lib/errors";
import { redis } from "@/lib/redis";
import { encryptBotToken, sendOn, type DeliveryConfig } from "./delivery";
import { channelReady } from "./fold";
import {
  effectivePreferences,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  preferencesInputSchema,
  type NotificationChannelName,
  type Preferences,
} from "./preferences";

const blankToNull = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v === "" ? null : v);

export const notificationSettingsSchema = z
  .object({
    /** A numeric chat id (negative for groups) or a public channel's @name; blank clears it. */
    telegramChatId: z
      .string()
      .trim()
      .regex(/^$|^-?\d{1,20}$|^@[A-Za-z][A-Za-z0-9_]{4,31}$/, "A numeric chat id (e.g. 123456789) or @channelname")
      .nullish()
      .transform(blankToNull),
    /** BotFather's token; blank keeps the stored one. */
    telegramBotToken: z
      .string()
      .trim()
      .regex(/^$|^\d{1,20}:[A-Za-z0-9_-]{30,60}$/, "A bot token looks like 123456789:AAE…")
      .optional()
      .transform((v) => (v ? v : undefined)),
    /** Forget the stored bot token. */
    clearTelegramToken: z.boolean().optional(),
    email: z
      .union([z.literal(""), z.email("Not an e-mail address").max(200)])
      .nullish()
      .transform(blankToNull),
    preferences: preferencesInputSchema.optional(),
  })
  .strict();
/** Fields left out keep their stored values. */
export type NotificationSettingsInput = Partial<z.infer<typeof notificationSettingsSchema>>;

/** GET/PUT /api/notifications/settings: never the token itself. */
export interface NotificationSettingsView {
  telegram: { chatId: string | null; tokenLast4: string | null; ready: boolean };
  email: { address: string | null; ready: boolean; serverConfigured: boolean };
  preferences: Preferences;
  kinds: readonly string[];
  channels: readonly string[];
}

function view(s: NotificationSettingsRow | null, config: Pick<DeliveryConfig, "smtpUrl">): NotificationSettingsView {
  return {
    telegram: {
      chatId: s?.telegramChatId ?? null,
      tokenLast4: s?.telegramTokenLast4 ?? null,
      ready: channelReady("TELEGRAM", s, config),
    },
    email: { address: s?.email ?? null, ready: channelReady("EMAIL", s, config), serverConfigured: !!config.smtpUrl },
    preferences: effectivePreferences(s?.preferences),
    kinds: NOTIFICATION_KINDS,
    channels: NOTIFICATION_CHANNELS,
  };
}

export async function getNotificationSettings(
  actor: Actor,
  config: Pick<DeliveryConfig, "smtpUrl">,
): Promise<NotificationSettingsView> {
  authorize(actor, "notifications.manage");
  return view(await findNotificationSettings(actor.id), config);
}

/** Channels a kind may not use yet, named per field: Telegram and e-mail need their settings first. */
function unreadyChoices(prefs: Preferences, ready: Record<NotificationChannelName, boolean>) {
  const fields: Record<string, string[]> = {};
  const needs = {
    IN_APP: "",
    TELEGRAM: "Telegram needs a chat id and a bot token first",
    EMAIL: "E-mail needs an address and an SMTP server (SMTP_URL) first",
  };
  for (const kind of NOTIFICATION_KINDS)
    for (const c of prefs[kind]) if (!ready[c]) fields[`preferences.${kind}`] = [needs[c]];
  return fields;
}

/** Saves the fields given (others keep their values). Refuses a channel ticked for a kind before it is set up. */
export async function saveNotificationSettings(
  actor: Actor,
  input: NotificationSettingsInput,
  ip: string | null,
  config: Pick<DeliveryConfig, "smtpUrl" | "keys">,
): Promise<NotificationSettingsView> {
  authorize(actor, "notifications.manage");
  const saved = await inTransaction(async (tx) => {
    const cur = await findNotificationSettings(actor.id, tx);
    const token = input.telegramBotToken;
    const next = {
      telegramChatId: input.telegramChatId === undefined ? (cur?.telegramChatId ?? null) : input.telegramChatId,
      telegramBotTokenEnc: token
        ? encryptBotToken(config.keys, actor.id, token)
        : input.clearTelegramToken
          ? null
          : (cur?.telegramBotTokenEnc ?? null),
      telegramTokenLast4: token ? token.slice(-4) : input.clearTelegramToken ? null : (cur?.telegramTokenLast4 ?? null),
      email: input.email === undefined ? (cur?.email ?? null) : input.email,
      preferences: effectivePreferences(cur?.preferences, input.preferences ?? {}),
    };
    const ready = {
      IN_APP: true,
      TELEGRAM: !!(next.telegramChatId && next.telegramBotTokenEnc),
      EMAIL: !!(next.email && config.smtpUrl),
    };
    const refused = unreadyChoices(next.preferences, ready);
    if (Object.keys(refused).length > 0) throw new ValidationError("Set the channel up before choosing it", refused);
    const row = await upsertNotificationSettings(tx, actor.id, next);
    await insertAudit(
      {
        actorId: actor.id,
        action: "notifications.settings",
        entity: "user",
        entityId: actor.id,
        details: {
          telegramChatId: next.telegramChatId,
          telegramToken: token ? "replaced" : input.clearTelegramToken ? "cleared" : "kept",
          email: next.email,
          preferences: next.preferences,
        },
        ip,
      },
      tx,
    );
    return row;
  });
  return view(saved, config);
}

let testLimiter: RateLimiterRedis | undefined;
/** Test messages per user per minute: a button, not a way to flood a chat. */
const TESTS_PER_MINUTE = 6;

async function spendTest(userId: string): Promise<void> {
  testLimiter ??= new RateLimiterRedis({
    storeClient: redis(),
    keyPrefix: "md:notify-test",
    points: TESTS_PER_MINUTE,
    duration: 60,
  });
  try {
    await testLimiter.consume(userId);
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e;
    throw new RateLimitedError("Too many test messages: wait a minute", Math.ceil(e.msBeforeNext / 1000));
  }
}

/** Channels "send test" exists for (in-app messages need no test: they are the bell). */
export const testNotificationSchema = z.object({ channel: z.enum(["TELEGRAM", "EMAIL"], "Choose TELEGRAM or EMAIL") });
export type TestChannel = z.infer<typeof testNotificationSchema>["channel"];

export interface TestOutcome {
  channel: TestChannel;
  delivered: boolean;
  /** The service's own words when it refused (the Bot API's description, the SMTP reply). */
  error: string | null;
}

const TEST_TEXT = {
  title: "Test message",
  body: "Notifications from MirrorDesk reach you here: fills, rejections, risk triggers, account and readiness problems, the kill switch.",
};

/** Sends a test message on `channel` now and answers with the outcome; 400 naming the setting that is missing. */
export async function sendTestNotification(
  actor: Actor,
  channel: TestChannel,
  config: DeliveryConfig,
): Promise<TestOutcome> {
  authorize(actor, "notifications.manage");
  const s = await findNotificationSettings(actor.id);
  if (channel === "TELEGRAM") {
    const missing: Record<string, string[]> = {};
    if (!s?.telegramChatId) missing.telegramChatId = ["Set the chat id first"];
    if (!s?.telegramBotTokenEnc) missing.telegramBotToken = ["Set the bot token first"];
    if (Object.keys(missing).length > 0) throw new ValidationError("Telegram is not set up", missing);
  }
  if (channel === "EMAIL") {
    if (!s?.email) throw new ValidationError("No e-mail address", { email: ["Set an e-mail address first"] });
    if (!config.smtpUrl)
      throw new ValidationError("E-mail is not configured on this server", {
        channel: ["This server has no SMTP server (SMTP_URL): ask the admin"],
      });
  }
  await spendTest(actor.id);
  const outcome = await sendOn(channel, s, TEST_TEXT, config);
  return { channel, delivered: outcome.ok, error: outcome.ok ? null : outcome.error };
}
