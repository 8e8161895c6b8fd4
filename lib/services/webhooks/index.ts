// The webhooks subsystem's entry. Managing a strategy's webhook and reading its alert log (docs/webhooks.md "On the
// strategy page"):
export {
  createWebhook,
  getWebhook,
  revokeWebhook,
  rotateWebhookToken,
  updateWebhookSettings,
  type WebhookSettingsResult,
  type WebhookView,
  type WebhookWithUrl,
} from "./manage";
export {
  MAX_ALLOWED_IPS,
  normaliseIpEntry,
  TRADINGVIEW_SENDER_IPS,
  webhookSettingsSchema,
  type WebhookSettingsInput,
} from "./settings-schema";
export {
  lastSignals,
  listSignals,
  SIGNAL_VERDICTS,
  signalLogQuerySchema,
  type LastSignal,
  type SignalLogItemJson,
  type SignalLogPage,
} from "./alert-log";
export { rotateWebhookSecrets } from "./secret-rotation";
