"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { cx } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";

interface AlertJson {
  id: string;
  kind: string;
  /** The label: from the alert's kind and the broker's cause (GET /api/alerts computes it). */
  title: string;
  severity: "INFO" | "WARNING" | "CRITICAL";
  message: string;
  accountName: string | null;
  createdAt: string;
}

const tone = {
  CRITICAL: "bg-rose-600 text-white",
  WARNING: "bg-amber-400 text-amber-950",
  INFO: "bg-indigo-600 text-white",
};

/** Open alerts on every page, each under the label its kind and cause give, refreshed every 10 s. */
export function AlertsBanner({ canDismiss }: { canDismiss: boolean }) {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: ["alerts"],
    queryFn: () => api<{ alerts: AlertJson[] }>("/api/alerts"),
    refetchInterval: 10_000,
  });
  const dismiss = useMutation({
    mutationFn: (id: string) => api(`/api/alerts/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["alerts"] }),
  });
  if (!data?.alerts.length) return null;
  return (
    <div className="space-y-px" data-testid="alerts">
      {data.alerts.map((a) => (
        <div
          key={a.id}
          role="alert"
          className={cx("flex flex-wrap items-center gap-x-3 gap-y-0.5 px-4 py-1.5 text-sm", tone[a.severity])}
        >
          <span className="font-semibold">{a.title}</span>
          <span className="min-w-[14rem] flex-1">{a.message}</span>
          <span className="text-xs opacity-80">{formatDateTime(a.createdAt)}</span>
          {canDismiss ? (
            <button className="text-xs underline" onClick={() => dismiss.mutate(a.id)}>
              Dismiss
            </button>
          ) : null}
        </div>
      ))}
    </div>
  );
}
