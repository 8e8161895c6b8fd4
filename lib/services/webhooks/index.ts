/**
 * Outside signals (docs/webhooks.md): the ingress that acks an alert (./ingest.ts), the worker step that acts on it
 * (./handle-signal.ts), the dry run of the strategy page (./dry-run.ts) and the URL tokens and signing secrets
 * (./token.ts). Other subsystems, routes and workers import this entry only.
 */
export { ingestAlert, type IncomingAlert } from "./ingest";
export type { AlertAnswer } from "./alert-log";
export { handleSignal, type SignalOutcome } from "./handle-signal";
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
