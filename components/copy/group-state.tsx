import { Badge } from "@/components/ui/primitives";
import { EVENT_STATUS_TONE } from "@/components/copy/copy-format";
import { formatDateTime } from "@/lib/format";
import type { CopyGroupJson } from "@/lib/services/copy";

/** Active (green) or paused (amber) with the reason beside it. */
export function StateChip({ enabled, pausedReason }: { enabled: boolean; pausedReason: string | null }) {
  if (enabled) return <Badge tone="green">active</Badge>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1" data-testid="paused">
      <Badge tone="amber">paused</Badge>
      {pausedReason ? <span className="text-xs text-slate-500">{pausedReason}</span> : null}
    </span>
  );
}

/** The group's latest event: status, kind and symbol, time in IST. */
export function LastEvent({ event }: { event: CopyGroupJson["lastEvent"] }) {
  if (!event) return <span className="text-slate-400">no events yet</span>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      <Badge tone={EVENT_STATUS_TONE[event.status]}>{event.status.toLowerCase()}</Badge>
      <span className="font-medium">
        {event.kind.toLowerCase()} {event.symbol}
      </span>
      <span className="text-slate-500">{formatDateTime(event.detectedAt)}</span>
    </span>
  );
}
