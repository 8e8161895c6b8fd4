/**
 * Who is told what, on which channel: per event kind, the channels a user chose (docs/notifications.md
 * "Preferences"). Pure.
 */
import { z } from "zod";
import { NOTIFICATION_KINDS } from "@/lib/queues/notifications";

export { NOTIFICATION_KINDS };
export const NOTIFICATION_CHANNELS = ["IN_APP", "TELEGRAM", "EMAIL"] as const;

export type NotificationKindName = (typeof NOTIFICATION_KINDS)[number];
export type NotificationChannelName = (typeof NOTIFICATION_CHANNELS)[number];
export type Preferences = Record<NotificationKindName, NotificationChannelName[]>;

/** Everything in the app; Telegram and e-mail stay off until the user sets them up and ticks them. */
export const DEFAULT_PREFERENCES: Preferences = Object.fromEntries(
  NOTIFICATION_KINDS.map((k) => [k, ["IN_APP"]]),
) as Preferences;

/** Kinds the user sets (any subset); a kind left out keeps its stored (or default) channels. */
export const preferencesInputSchema = z.partialRecord(
  z.enum(NOTIFICATION_KINDS, "Not an event kind"),
  z.array(z.enum(NOTIFICATION_CHANNELS, "Choose IN_APP, TELEGRAM or EMAIL")).max(NOTIFICATION_CHANNELS.length),
);

const storedSchema = z.record(z.string(), z.array(z.string()));

/** The stored choices over the defaults, each kind's channels once and in the canonical order. */
export function effectivePreferences(stored: unknown, changes: Partial<Preferences> = {}): Preferences {
  const parsed = storedSchema.safeParse(stored);
  const out = { ...DEFAULT_PREFERENCES };
  for (const kind of NOTIFICATION_KINDS) {
    const chosen = changes[kind] ?? (parsed.success ? parsed.data[kind] : undefined);
    if (chosen) out[kind] = NOTIFICATION_CHANNELS.filter((c) => chosen.includes(c));
  }
  return out;
}

/** Kinds that send on `channel`. */
export function kindsOn(prefs: Preferences, channel: NotificationChannelName): NotificationKindName[] {
  return NOTIFICATION_KINDS.filter((k) => prefs[k].includes(channel));
}
