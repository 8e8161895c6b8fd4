"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Badge, Card, Table } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";
import type { NotificationListJson } from "@/lib/services/notifications";
import { CHANNEL_LABELS } from "./notification-labels";

const STATUS_TONE = { SENT: "green", PENDING: "blue", FAILED: "red" } as const;

/** The latest messages on every channel with their delivery status; a failure shows the service's reason. */
export function RecentNotifications() {
  const list = useQuery({
    queryKey: ["notifications", "all"],
    queryFn: () => api<NotificationListJson>("/api/notifications?limit=30"),
    refetchInterval: 15_000,
  });
  const rows = list.data?.notifications ?? [];
  return (
    <Card title="Recent notifications">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">Nothing sent yet.</p>
      ) : (
        <Table
          head={
            <tr>
              <th className="py-1.5 pr-3">Time (IST)</th>
              <th className="pr-3">Channel</th>
              <th className="pr-3">Message</th>
              <th className="pr-3 text-right">Events</th>
              <th className="pr-3">Status</th>
            </tr>
          }
        >
          {rows.map((n) => (
            <tr key={n.id} className="align-top">
              <td className="py-1.5 pr-3 text-xs whitespace-nowrap">{formatDateTime(n.sentAt ?? n.createdAt)}</td>
              <td className="pr-3 text-xs">{CHANNEL_LABELS[n.channel]}</td>
              <td className="min-w-[12rem] pr-3">
                <p className="font-medium">{n.title}</p>
                <p className="line-clamp-2 text-xs whitespace-pre-line text-slate-500">{n.body}</p>
              </td>
              <td className="pr-3 text-right tabular-nums">{n.events}</td>
              <td className="pr-3">
                <Badge tone={STATUS_TONE[n.status]}>{n.status.toLowerCase()}</Badge>
                {n.lastError ? (
                  <p className="mt-0.5 max-w-[16rem] text-xs text-rose-600 dark:text-rose-400">
                    {n.lastError} (try {n.attempts})
                  </p>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
