"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Alert, Badge, Card, Table } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";

interface Status {
  health: { status: string; checks: Record<string, { ok: boolean; ms: number; error?: string }> };
  workers: { id: string; hostname: string; pid: number; startedAt: string; at: string }[];
  queues: Record<string, Record<string, number>>;
}

const STALE_MS = 30_000;

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

export function SystemStatus() {
  const { data, error, dataUpdatedAt } = useQuery({
    queryKey: ["system"],
    queryFn: () => api<Status>("/api/system"),
    refetchInterval: 5_000,
  });
  const now = dataUpdatedAt || 0;
  if (error) return <Alert>{(error as Error).message}</Alert>;
  if (!data) return <p className="text-slate-500">Loading…</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title="Dependencies">
        <Table
          head={
            <tr>
              <th className="py-1.5 pr-3">Service</th>
              <th className="pr-3">Status</th>
              <th>Latency</th>
            </tr>
          }
        >
          {Object.entries(data.health.checks).map(([name, c]) => (
            <tr key={name}>
              <td className="py-1.5 pr-3">{name}</td>
              <td className="pr-3">
                <Badge tone={c.ok ? "green" : "red"}>{c.ok ? "up" : (c.error ?? "down")}</Badge>
              </td>
              <td className="num">{c.ms} ms</td>
            </tr>
          ))}
        </Table>
      </Card>
      <Card title="Workers">
        {data.workers.length === 0 ? (
          <Alert>No worker heartbeat. Orders, fills and risk exits do not run until a worker is up.</Alert>
        ) : (
          <Table
            head={
              <tr>
                <th className="py-1.5 pr-3">Worker</th>
                <th className="pr-3">Last seen</th>
                <th>Started</th>
              </tr>
            }
          >
            {data.workers.map((w) => {
              const stale = now - Date.parse(w.at) > STALE_MS;
              return (
                <tr key={w.id} data-testid="worker-row">
                  <td className="py-1.5 pr-3 font-mono text-xs">{w.id}</td>
                  <td className="pr-3">
                    <Badge tone={stale ? "red" : "green"}>{ago(w.at, now)}</Badge>
                  </td>
                  <td className="text-xs text-slate-500">{formatDateTime(w.startedAt)}</td>
                </tr>
              );
            })}
          </Table>
        )}
      </Card>
      <Card title="Queues" className="lg:col-span-2">
        <Table
          head={
            <tr>
              <th className="py-1.5 pr-3">Queue</th>
              <th className="pr-3 text-right">Waiting</th>
              <th className="pr-3 text-right">Active</th>
              <th className="pr-3 text-right">Delayed</th>
              <th className="pr-3 text-right">Failed</th>
              <th className="text-right">Completed</th>
            </tr>
          }
        >
          {Object.entries(data.queues).map(([name, c]) => (
            <tr key={name}>
              <td className="py-1.5 pr-3">{name}</td>
              {(["waiting", "active", "delayed", "failed", "completed"] as const).map((k) => (
                <td key={k} className={`num pr-3 text-right ${k === "failed" && c[k] > 0 ? "text-rose-600" : ""}`}>
                  {c[k] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </Table>
      </Card>
    </div>
  );
}
