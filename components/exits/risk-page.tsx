"use client";

import { useState } from "react";
import { Alert, Button, Card, Input } from "@/components/ui/primitives";
import { ExitsTable } from "./exits-table";
import { LedgerTable } from "./ledger-table";
import type { KillSwitchStatusJson } from "@/lib/services/kill-switch";
import { useKillSwitch, useKillSwitchAction } from "./use-kill-switch";
import { LiveRiskRuns } from "@/components/risk/live-risk-runs";

/**
 * Risk: the kill switch, live runs under risk rules, strategy positions with P&L and exits, and every exit with its
 * progress.
 */
export function RiskPage({ canWrite, isAdmin }: { canWrite: boolean; isAdmin: boolean }) {
  return (
    <div className="space-y-4">
      <KillSwitchCard canWrite={canWrite} isAdmin={isAdmin} />
      <LiveRiskRuns canWrite={canWrite} />
      <Card title="Strategy positions">
        <LedgerTable url="/api/positions/ledger" canWrite={canWrite} accountExits />
      </Card>
      <Card title="Exits">
        <ExitsTable />
      </Card>
    </div>
  );
}

/** One line that agrees with the red banner: whose entries are blocked, by which switch. */
function stateLine(data: KillSwitchStatusJson): string {
  if (data.engaged) return "Engaged — your new entries are blocked";
  if (data.switches.length === 0) return "Armed — entries allowed";
  const owners = data.switches.map((s) => s.ownerName ?? "a trader").join(", ");
  return `Engaged for ${owners} — their new entries are blocked; yours are allowed`;
}

function KillSwitchCard({ canWrite, isAdmin }: { canWrite: boolean; isAdmin: boolean }) {
  const { data } = useKillSwitch();
  const action = useKillSwitchAction();
  const [reason, setReason] = useState("");
  const engage = (scope: "mine" | "all") => {
    const what = scope === "all" ? "every account of every user" : "all your accounts";
    if (
      window.confirm(
        `Kill switch: cancel open orders and flatten ${what}, and block new entries until an admin re-arms?`,
      )
    ) {
      action.mutate({ action: "engage", scope, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    }
  };
  return (
    <Card title="Kill switch">
      <div className="flex flex-wrap items-center gap-3">
        <span
          data-testid="kill-switch-state"
          className={
            data?.switches.length
              ? "font-semibold text-rose-600 dark:text-rose-400"
              : "font-semibold text-emerald-600 dark:text-emerald-400"
          }
        >
          {data === undefined ? "…" : stateLine(data)}
        </span>
        {canWrite ? (
          <>
            <Input
              aria-label="Reason"
              placeholder="Reason (optional)"
              className="w-64"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={200}
            />
            <Button variant="danger" disabled={action.isPending} onClick={() => engage("mine")}>
              Kill switch: flatten my accounts
            </Button>
            {isAdmin ? (
              <Button variant="danger" disabled={action.isPending} onClick={() => engage("all")}>
                Kill switch: everyone
              </Button>
            ) : null}
          </>
        ) : null}
      </div>
      {data?.switches.length ? (
        <ul className="mt-2 space-y-1 text-sm" data-testid="kill-switch-switches">
          {data.switches.map((s) => (
            <li key={`${s.scope}:${s.ownerId ?? ""}`}>
              <span className="font-semibold">{s.scope === "global" ? "Everyone" : (s.ownerName ?? "A trader")}</span>:{" "}
              {s.flatten.text}.
            </li>
          ))}
        </ul>
      ) : null}
      {action.error ? (
        <div className="mt-2">
          <Alert>{action.error.message}</Alert>
        </div>
      ) : null}
      <p className="mt-2 text-xs text-slate-500">
        Open orders are cancelled, short positions bought back first, then longs sold, in every account at once. Only an
        admin can re-arm.
      </p>
    </Card>
  );
}
