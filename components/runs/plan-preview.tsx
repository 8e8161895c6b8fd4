import { Fragment } from "react";
import { Badge, Table } from "@/components/ui/primitives";
import { Money } from "@/components/accounts/status";
import { formatInr, formatQty } from "@/lib/format";
import { formatSlices } from "@/components/runs/run-format";
import type { PreviewJson, ResolvedLegJson } from "@/lib/services/runs";

const th = "py-1.5 pr-3";
const Side = ({ action }: { action: string }) => (
  <span
    className={
      action === "BUY"
        ? "font-medium text-emerald-600 dark:text-emerald-400"
        : "font-medium text-rose-600 dark:text-rose-400"
    }
  >
    {action}
  </span>
);

export function PhaseBadge({ phase }: { phase: number }) {
  return (
    <span
      title={
        phase === 1
          ? "Phase 1: BUY legs (hedges) are sent and acknowledged first"
          : "Phase 2: SELL legs, only after every BUY of the account is acknowledged"
      }
    >
      <Badge tone={phase === 1 ? "green" : "amber"}>{phase === 1 ? "1 · BUY" : "2 · SELL"}</Badge>
    </span>
  );
}

function orderText(l: ResolvedLegJson): string {
  if (l.priceType === "MARKET") return "MARKET";
  return `LIMIT ${l.price ? formatInr(l.price) : ""}${l.referencePrice ? ` (LTP ${formatInr(l.referencePrice)})` : ""}`;
}

/** Where the freeze quantity came from: the broker's and the settings' values (the smaller applies). */
function FreezeSources({ leg }: { leg: ResolvedLegJson }) {
  const f = leg.freezeSources;
  if (!f || (f.broker === null && f.settings === null)) return null;
  const text = (v: number | null) => (v === null ? "unknown" : formatQty(v));
  return (
    <span className="block text-xs text-slate-500" data-testid="freeze-sources">
      freeze {leg.freezeQty === null ? "unknown" : formatQty(leg.freezeQty)} · broker {text(f.broker)} · settings{" "}
      {text(f.settings)}
    </span>
  );
}

/** The contracts a run trades: resolved once, the same in every account. */
export function ResolvedLegsTable({
  legs,
  conditions,
}: {
  legs: PreviewJson["legs"];
  conditions: PreviewJson["conditions"];
}) {
  return (
    <div className="space-y-2">
      <Table
        head={
          <tr>
            <th className={th}>Leg</th>
            <th className={th}>Phase</th>
            <th className={th}>Side</th>
            <th className={th}>Contract</th>
            <th className={th}>Expiry</th>
            <th className={`${th} text-right`}>Lot size</th>
            <th className={`${th} text-right`}>Max per order</th>
            <th className={th}>Order</th>
            <th className={th}>Warnings</th>
          </tr>
        }
      >
        {legs.map((l) => (
          <tr key={l.legIndex} data-testid="resolved-leg">
            <td className="py-1 pr-3">{l.legIndex + 1}</td>
            <td className="pr-3">
              <PhaseBadge phase={l.action === "BUY" ? 1 : 2} />
            </td>
            <td className="pr-3">
              <Side action={l.action} />
            </td>
            <td className="pr-3 font-mono text-xs">
              {l.symbol}
              <span className="ml-1 font-sans text-slate-400">{l.exchange}</span>
            </td>
            <td className="num pr-3 text-xs">{l.expiry}</td>
            <td className="num pr-3 text-right">{formatQty(l.lotSize)}</td>
            <td className="num pr-3 text-right" data-testid="leg-max-per-order">
              {l.sliceLots && l.lotSize ? formatQty(l.sliceLots * l.lotSize) : "no limit"}
              <FreezeSources leg={l} />
            </td>
            <td className="num pr-3 text-xs">{orderText(l)}</td>
            <td className="pr-3 text-xs text-amber-700 dark:text-amber-300">{l.warnings.join("; ")}</td>
          </tr>
        ))}
      </Table>
      {Object.keys(conditions).length ? (
        <p className="text-xs text-slate-500">
          Margin rates for:{" "}
          {Object.entries(conditions)
            .map(([u, c]) => `${u} ${c === "expiry_day" ? "expiry day" : "other days"}`)
            .join(" · ")}
        </p>
      ) : null}
    </div>
  );
}

/** Per account: lots, quantity, slices and phase of every leg, margin needed vs available, warnings; skips with reasons. */
export function AccountPlansTable({ preview }: { preview: PreviewJson }) {
  const t = preview.totals;
  const marginPlanned = preview.accounts.some(
    (a) => a.status === "planned" && a.legs.some((l) => l.marginNeeded !== null),
  );
  return (
    <Table
      head={
        <tr>
          <th className={th}>Account</th>
          <th className={th}>Leg</th>
          <th className={th}>Phase</th>
          <th className={`${th} text-right`}>Lots</th>
          <th className={`${th} text-right`}>Qty</th>
          <th className={th}>Slices</th>
          <th className={`${th} text-right`}>Margin needed</th>
          <th className={`${th} text-right`}>Available</th>
          <th className={th}>Warnings</th>
        </tr>
      }
    >
      {preview.accounts.map((a) =>
        a.status === "skipped" ? (
          <tr
            key={a.accountId}
            data-testid={`plan-account-${a.accountName}`}
            data-status="skipped"
            className="bg-slate-50 dark:bg-slate-800/40"
          >
            <td className="py-1.5 pr-3 font-medium">{a.accountName}</td>
            <td colSpan={8} className="pr-3 text-sm">
              <Badge tone="slate">skipped</Badge> <span className="text-rose-700 dark:text-rose-300">{a.reason}</span>
              {a.warnings.length ? <span className="ml-2 text-xs text-amber-700">{a.warnings.join("; ")}</span> : null}
            </td>
          </tr>
        ) : (
          <Fragment key={a.accountId}>
            {[...a.legs]
              .sort((x, y) => x.phase - y.phase || x.legIndex - y.legIndex)
              .map((l, i) => (
                <tr
                  key={l.legIndex}
                  data-testid={i === 0 ? `plan-account-${a.accountName}` : undefined}
                  data-status="planned"
                  className={i === 0 ? "border-t-2 border-slate-200 dark:border-slate-700" : ""}
                >
                  {i === 0 ? (
                    <td rowSpan={a.legs.length} className="py-1 pr-3 align-top">
                      <div className="font-medium">{a.accountName}</div>
                      {a.legs.some((l) => l.marginNeeded !== null) ? (
                        <div className="text-xs text-slate-500">
                          needs <Money value={a.marginNeeded} /> of <Money value={a.marginAvailable} /> (
                          {a.marginSource === "cash" ? "cash" : "available margin"})
                        </div>
                      ) : (
                        <div className="text-xs text-slate-500">margin not planned (checked by the broker)</div>
                      )}
                      {a.warnings.length ? (
                        <div className="max-w-64 text-xs text-amber-700 dark:text-amber-300">
                          {a.warnings.join("; ")}
                        </div>
                      ) : null}
                    </td>
                  ) : null}
                  <td className="py-1 pr-3 text-xs">
                    {l.legIndex + 1} · <Side action={l.action} /> <span className="font-mono">{l.symbol}</span>
                  </td>
                  <td className="pr-3" data-testid="plan-phase" data-phase={l.phase} data-action={l.action}>
                    <PhaseBadge phase={l.phase} />
                  </td>
                  <td className="num pr-3 text-right">{formatQty(l.lots)}</td>
                  <td className="num pr-3 text-right">{formatQty(l.quantity)}</td>
                  <td className="num pr-3 text-xs" data-testid="plan-slices">
                    {formatSlices(l.slices)}
                  </td>
                  <td className="pr-3 text-right text-xs">
                    {l.marginKind === "wing" ? (
                      <span className="text-slate-400">wing</span>
                    ) : (
                      <Money value={l.marginNeeded} />
                    )}
                  </td>
                  <td className="pr-3 text-right text-xs">
                    <Money value={l.marginAvailable} />
                  </td>
                  <td className="pr-3 text-xs text-amber-700 dark:text-amber-300">{l.warnings.join("; ")}</td>
                </tr>
              ))}
          </Fragment>
        ),
      )}
      <tr className="border-t-2 border-slate-300 font-medium dark:border-slate-600" data-testid="plan-totals">
        <td className="py-1.5 pr-3">Total</td>
        <td className="pr-3 text-xs" colSpan={3}>
          {t.accountsPlanned} of {t.accounts} account{t.accounts === 1 ? "" : "s"} planned
          {t.accountsSkipped ? ` · ${t.accountsSkipped} skipped` : ""}
        </td>
        <td className="num pr-3 text-right">{formatQty(t.quantity)}</td>
        <td className="pr-3 text-xs">
          {formatQty(t.orders)} order{t.orders === 1 ? "" : "s"}
        </td>
        <td className="pr-3 text-right text-xs">
          {marginPlanned ? <Money value={t.marginNeeded} /> : <span className="text-slate-400">—</span>}
        </td>
        <td colSpan={2} />
      </tr>
    </Table>
  );
}
