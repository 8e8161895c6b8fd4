"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Badge } from "@/components/ui/primitives";
import { formatTimeIst } from "@/lib/format";

interface Health {
  status: "ok" | "down";
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/** Live dependency status, refreshed every 5 s (a stalled backend shows red, not a frozen green). */
export function HealthStrip() {
  const { data, error, dataUpdatedAt } = useQuery({
    queryKey: ["health"],
    queryFn: () =>
      api<Health>("/api/health").catch((e) =>
        e.status === 503 ? ({ status: "down", checks: {} } as Health) : Promise.reject(e),
      ),
    refetchInterval: 5_000,
  });
  return (
    <div
      className="flex flex-wrap items-center gap-3 rounded-lg bg-white px-4 py-2 text-xs ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      data-testid="health-strip"
    >
      <span className="font-medium">System</span>
      {error ? <Badge tone="red">unreachable</Badge> : null}
      {data
        ? Object.entries(data.checks).map(([name, c]) => (
            <span key={name} className="flex items-center gap-1">
              {name}
              <Badge tone={c.ok ? "green" : "red"}>{c.ok ? `ok · ${c.ms} ms` : (c.error ?? "down")}</Badge>
            </span>
          ))
        : !error && <span className="text-slate-400">checking…</span>}
      {dataUpdatedAt ? <span className="ml-auto text-slate-400">updated {formatTimeIst(dataUpdatedAt)}</span> : null}
    </div>
  );
}
