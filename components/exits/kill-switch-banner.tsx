"use client";

import { useKillSwitch, useKillSwitchAction } from "./use-kill-switch";
import { formatDateTime } from "@/lib/format";

/** On every signed-in page while a kill switch is engaged: who, when, and (for admins) re-arm. */
export function KillSwitchBanner({ isAdmin }: { isAdmin: boolean }) {
  const { data } = useKillSwitch();
  const rearm = useKillSwitchAction();
  if (!data?.switches.length) return null;
  return (
    <div className="space-y-px" data-testid="kill-switch-banner">
      {data.switches.map((s) => (
        <div
          key={`${s.scope}:${s.ownerId ?? ""}`}
          role="alert"
          className="flex items-center gap-3 bg-rose-700 px-4 py-1.5 text-sm text-white"
        >
          <span className="font-bold tracking-wide">KILL SWITCH ENGAGED</span>
          <span className="flex-1">
            {s.scope === "global" ? "Every user's accounts" : `Accounts of ${s.ownerName ?? "a trader"}`}:{" "}
            {s.flatten.text}. New entries are blocked until an admin re-arms.
            {s.reason ? ` Reason: ${s.reason}.` : ""} Engaged by {s.engagedBy}, {formatDateTime(s.engagedAt)}.
          </span>
          {isAdmin ? (
            <button
              className="rounded bg-white/15 px-2 py-0.5 text-xs font-semibold hover:bg-white/25 disabled:opacity-50"
              disabled={rearm.isPending}
              onClick={() => {
                if (window.confirm("Re-arm: allow new entries again?"))
                  rearm.mutate({
                    action: "rearm",
                    scope: s.scope === "global" ? "all" : "owner",
                    ownerId: s.ownerId ?? undefined,
                  });
              }}
            >
              Re-arm
            </button>
          ) : null}
          {rearm.error ? <span className="text-xs">{rearm.error.message}</span> : null}
        </div>
      ))}
    </div>
  );
}
