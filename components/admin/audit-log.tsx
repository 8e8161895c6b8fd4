"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Alert, Badge, Card, Table } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";

interface Entry {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  details: unknown;
  ip: string | null;
}

const tone = (action: string) =>
  action.includes("failed") || action.includes("throttled") ? "red" : action.startsWith("auth.") ? "slate" : "blue";

export function AuditLog() {
  const { data, error } = useQuery({
    queryKey: ["audit"],
    queryFn: () => api<{ entries: Entry[] }>("/api/audit?limit=200"),
    refetchInterval: 10_000,
  });
  if (error) return <Alert>{(error as Error).message}</Alert>;
  return (
    <Card title="Newest first">
      <Table
        head={
          <tr>
            <th className="py-1.5 pr-3">Time (IST)</th>
            <th className="pr-3">Actor</th>
            <th className="pr-3">Action</th>
            <th className="pr-3">Entity</th>
            <th className="pr-3">IP</th>
            <th>Details</th>
          </tr>
        }
      >
        {data?.entries.map((e) => (
          <tr key={e.id}>
            <td className="num py-1 pr-3 text-xs whitespace-nowrap">{formatDateTime(e.at)}</td>
            <td className="pr-3 text-xs">{e.actor ?? "—"}</td>
            <td className="pr-3">
              <Badge tone={tone(e.action)}>{e.action}</Badge>
            </td>
            <td className="pr-3 text-xs">
              {e.entity}
              {e.entityId ? ` · ${e.entityId.slice(0, 8)}` : ""}
            </td>
            <td className="pr-3 font-mono text-xs">{e.ip ?? "—"}</td>
            <td className="max-w-md truncate font-mono text-xs text-slate-500" title={JSON.stringify(e.details)}>
              {JSON.stringify(e.details)}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}
