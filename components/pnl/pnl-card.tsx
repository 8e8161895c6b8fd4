"use client";

import { Badge, Card } from "@/components/ui/primitives";
import { Pnl } from "@/components/accounts/status";
import { formatTimeIst } from "@/lib/format";
import { PnlChart } from "@/components/pnl/pnl-chart";
import { useMtmCurve } from "@/components/pnl/use-mtm-curve";

/**
 * A P&L curve with its latest figures: total, realised, unrealised, when it was sampled (IST) and whether every
 * price behind it was live. Empty until the recorder has sampled an open position.
 */
export function PnlCard({
  url,
  title,
  testId,
  emptyText = "No P&L recorded yet: it is sampled every few seconds while positions are open.",
}: {
  url: string;
  title: string;
  testId: string;
  /** What an empty curve means here. */
  emptyText?: string;
}) {
  const curve = useMtmCurve(url);
  const points = curve.data?.points ?? [];
  const last = points.at(-1);
  return (
    <Card
      className="min-w-0"
      title={title}
      actions={
        last ? (
          <span className="flex items-center gap-2 text-xs text-slate-500">
            {last.allLive ? null : (
              <span title="Some open position was priced by a REST quote, a stale quote, or had no price">
                <Badge tone="amber">prices not all live</Badge>
              </span>
            )}
            <span>{formatTimeIst(last.at)}</span>
          </span>
        ) : (
          <span className="text-xs text-slate-500">times in IST</span>
        )
      }
    >
      <div data-testid={testId} data-points={points.length}>
        {curve.isError ? (
          <p className="text-sm text-rose-600">Cannot load the P&amp;L curve: {curve.error.message}</p>
        ) : points.length === 0 ? (
          <p className="py-6 text-center text-sm text-slate-500">{curve.isPending ? "Loading…" : emptyText}</p>
        ) : (
          <>
            <div className="mb-2 flex flex-wrap gap-x-6 gap-y-1 text-sm">
              <Figure label="P&L" value={last?.total ?? null} testId={`${testId}-total`} />
              <Figure label="Realised" value={last?.realised ?? null} />
              <Figure label="Unrealised" value={last?.unrealised ?? null} />
              <span className="text-xs text-slate-500">{last?.openPositions ?? 0} open · times IST (Asia/Kolkata)</span>
            </div>
            <PnlChart points={points} />
          </>
        )}
      </div>
    </Card>
  );
}

function Figure({ label, value, testId }: { label: string; value: string | null; testId?: string }) {
  return (
    <span className="flex items-baseline gap-1.5">
      <span className="text-xs text-slate-500">{label}</span>
      <span className="font-medium" data-testid={testId} title={value === null ? "A position had no price" : undefined}>
        <Pnl value={value} />
      </span>
    </span>
  );
}
