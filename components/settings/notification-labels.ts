import type { NotificationChannelName, NotificationKindName } from "@/lib/services/notifications";

/** What each event kind and channel is called on the notification pages. */
export const KIND_LABELS: Record<NotificationKindName, string> = {
  FILL: "Fills",
  REJECTION: "Rejections (with the broker's reason)",
  RISK: "Risk triggers",
  ACCOUNT: "Account disconnects and recoveries",
  KILL_SWITCH: "Kill switch",
  READINESS: "Readiness failures",
};
export const CHANNEL_LABELS: Record<NotificationChannelName, string> = {
  IN_APP: "In-app",
  TELEGRAM: "Telegram",
  EMAIL: "E-mail",
};
