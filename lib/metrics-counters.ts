/**
 * Counters the request path increments (kept apart from lib/metrics.ts, which imports the services a scrape reads, so
 * the hot path does not load them). lib/metrics.ts registers these on its registry.
 */
import { Counter } from "prom-client";

const holder = globalThis as unknown as { mirrordeskCounters?: { throttledAlerts: Counter } };

function counters() {
  holder.mirrordeskCounters ??= {
    throttledAlerts: new Counter({
      name: "mirrordesk_webhook_alerts_throttled_total",
      help: "Webhook alerts refused with 429 by the per-address or per-webhook rate limit (not stored in the alert log)",
      registers: [],
    }),
  };
  return holder.mirrordeskCounters;
}

export function countThrottledAlert(): void {
  counters().throttledAlerts.inc();
}

/** The request-path counters, for the metrics registry. */
export function requestCounters(): Counter[] {
  return Object.values(counters());
}
