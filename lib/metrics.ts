import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { systemStatus } from "@/lib/services/system";
import { registerFeedMetrics } from "@/lib/services/market-data";
import { requestCounters } from "@/lib/metrics-counters";

const holder = globalThis as unknown as { mirrordeskMetrics?: Registry };

/** Prometheus registry: process defaults plus gauges read at scrape time (no background timers). */
export function metricsRegistry(): Registry {
  if (holder.mirrordeskMetrics) return holder.mirrordeskMetrics;
  const registry = new Registry();
  registry.setDefaultLabels({ app: "mirrordesk" });
  collectDefaultMetrics({ register: registry, prefix: "mirrordesk_" });

  const beatAge = new Gauge({
    name: "mirrordesk_worker_heartbeat_age_seconds",
    help: "Seconds since the newest worker heartbeat (-1 when none)",
    registers: [registry],
  });
  const jobs = new Gauge({
    name: "mirrordesk_queue_jobs",
    help: "Jobs per queue and state",
    labelNames: ["queue", "state"],
    registers: [registry],
  });
  // One collect hook fills all three gauges so a scrape costs one status read.
  const up: Gauge<"dependency"> = new Gauge({
    name: "mirrordesk_dependency_up",
    help: "1 when the dependency answers",
    labelNames: ["dependency"],
    registers: [registry],
    collect: async () => {
      const status = await systemStatus().catch(() => null);
      up.set({ dependency: "database" }, status?.health.checks.database.ok ? 1 : 0);
      up.set({ dependency: "redis" }, status?.health.checks.redis.ok ? 1 : 0);
      const newest = status?.workers[0];
      beatAge.set(newest ? (Date.now() - Date.parse(newest.at)) / 1000 : -1);
      jobs.reset();
      for (const [queue, counts] of Object.entries(status?.queues ?? {})) {
        for (const [state, n] of Object.entries(counts)) jobs.set({ queue, state }, n);
      }
    },
  });
  // The worker's market-data feed: ticks, reconnects, subscribed contracts and state per feed kind.
  registerFeedMetrics(registry);
  for (const c of requestCounters()) registry.registerMetric(c);
  holder.mirrordeskMetrics = registry;
  return registry;
}
