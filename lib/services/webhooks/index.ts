/**
 * Outside signals (docs/webhooks.md): the ingress that acks an alert (./ingest.ts), the worker step that acts on it
 * (./handle-signal.ts) and the sweep that recovers lost ones (./signal-recovery.ts), the dry run of the strategy page
 * (./dry-run.ts) and the URL tokens and signing secrets (./token.ts); managing a strategy's webhook (./manage.ts) and
 * reading its alert log (./alert-log.ts). Other subsystems, routes and workers import this entry only.
 */
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
export { ingestAlert, type IncomingAlert } from "./ingest";
export type { AlertAnswer } from "./alert-record";
export { handleSignal, type SignalOutcome } from "./handle-signal";
export { reconcileSignalStates } from "./signal-state";
export { recoverSignals, type SignalSweepResult } from "./signal-recovery";
export { dryRunAlert, dryRunRequestSchema, type DryRunJson, type DryRunRequest } from "./dry-run";
export {
  decryptHmacSecret,
  encryptHmacSecret,
  hashWebhookToken,
  newHmacSecret,
  newWebhookToken,
  SIGNATURE_HEADER,
  webhookPath,
} from "./token";
