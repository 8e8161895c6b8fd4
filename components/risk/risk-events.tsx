import { Alert, Badge, Table, cx } from "@/components/ui/primitives";
import { formatDateTime, formatInr, formatTimeIst } from "@/lib/format";
import {
  ACTION_LABEL,
  eventRows,
  formatValue,
  priceFlag,
  pricesOf,
  type UsedPrice,
} from "@/components/risk/risk-format";
import type { RiskEventJson } from "@/lib/services/risk";
import { useRunRiskEvents } from "@/components/risk/use-risk";

const td = "px-2 py-1 align-top";
const TONE: Record<RiskEventJson["action"], "red" | "amber" | "blue" | "slate"> = {
  EXIT: "red",
  BLOCK_ENTRIES: "red",
  SKIPPED_STALE: "amber",
  CHANGED: "blue",
  PAUSED: "amber",
  RESUMED: "blue",
};

/** A price the decision used and its time; one it could not use (or not from the live feed) says why. */
function Price({ p }: { p: UsedPrice }) {
  const flag = priceFlag(p);
  return (
    <div className="whitespace-nowrap">
      <span className="font-mono">{p.symbol}</span>{" "}
      {p.ltp === null || p.ltp === undefined ? (
        <span className="text-amber-600 dark:text-amber-400">no price</span>
      ) : (
        <>
          <span className="num">{formatInr(p.ltp)}</span>{" "}
          <span className="text-slate-500">@ {formatTimeIst(p.at)}</span>
        </>
      )}
      {flag ? <span className="ml-1 text-amber-600 dark:text-amber-400">({flag})</span> : null}
    </div>
  );
}

function Money({ e, v }: { e: RiskEventJson; v: string | null }) {
  return <>{v === null ? "—" : formatValue(e.rule, v)}</>;
}

/** What happened, who did it, and the exit it started. */
function What({ e }: { e: RiskEventJson }) {
  return (
    <>
      {e.message}
      {e.actorName ? <span className="text-slate-500"> — by {e.actorName}</span> : null}
      {e.exitId ? (
        <a
          href={`#exit-${e.exitId}`}
          className="ml-1 text-indigo-600 hover:underline dark:text-indigo-400"
          data-testid="risk-event-exit"
        >
          exit ↓
        </a>
      ) : null}
    </>
  );
}

function Prices({ e }: { e: RiskEventJson }) {
  const prices = pricesOf(e.prices);
  return prices.length ? prices.map((p) => <Price key={`${p.exchange}:${p.symbol}`} p={p} />) : "—";
}

/** A run's risk events, newest first: what fired or was skipped, on which prices, and who changed what. */
export function RiskEvents({ runId }: { runId: string }) {
  const { data, error } = useRunRiskEvents(runId);
  if (error) return <Alert>{error.message}</Alert>;
  if (!data) return <p className="text-sm text-slate-500">Loading events…</p>;
  const rows = eventRows(data.events);
  if (rows.length === 0) return <p className="text-sm text-slate-500">No risk events yet.</p>;
  return (
    <div data-testid="risk-events">
      {/* Phones: one block per event. */}
      <ul className="divide-y divide-slate-100 text-xs sm:hidden dark:divide-slate-800">
        {rows.map(({ event: e, rules }) => (
          <li key={e.id} className="space-y-0.5 py-1.5">
            <div className="flex flex-wrap items-center gap-1.5">
              <Badge tone={TONE[e.action]}>{ACTION_LABEL[e.action]}</Badge>
              <span className="font-medium">{rules.join(", ")}</span>
              {e.accountName ? <span>· {e.accountName}</span> : null}
              <span className="text-slate-500">{formatDateTime(e.createdAt)}</span>
            </div>
            {e.threshold !== null || e.observed !== null ? (
              <div className="num">
                level <Money e={e} v={e.threshold} /> · observed <Money e={e} v={e.observed} />
              </div>
            ) : null}
            {pricesOf(e.prices).length ? <Prices e={e} /> : null}
            <div>
              <What e={e} />
            </div>
          </li>
        ))}
      </ul>
      <div className="hidden sm:block">
        <Table
          head={
            <tr>
              <th className="px-2 py-1.5">Time</th>
              <th className="px-2 py-1.5">Rule</th>
              <th className="px-2 py-1.5">Action</th>
              <th className="px-2 py-1.5 text-right">Threshold</th>
              <th className="px-2 py-1.5 text-right">Observed</th>
              <th className="px-2 py-1.5">Prices used</th>
              <th className="px-2 py-1.5">What happened</th>
            </tr>
          }
        >
          {rows.map(({ event: e, rules }) => (
            <tr key={e.id} data-testid="risk-event" data-action={e.action} data-rule={e.rule}>
              <td className={cx(td, "whitespace-nowrap")}>{formatDateTime(e.createdAt)}</td>
              <td className={cx(td, "max-w-48")}>
                {rules.join(", ")}
                {e.accountName ? <div className="text-xs text-slate-500">{e.accountName}</div> : null}
              </td>
              <td className={cx(td, "whitespace-nowrap")}>
                <Badge tone={TONE[e.action]}>{ACTION_LABEL[e.action]}</Badge>
              </td>
              <td className={cx(td, "num text-right whitespace-nowrap")}>
                <Money e={e} v={e.threshold} />
              </td>
              <td className={cx(td, "num text-right whitespace-nowrap")}>
                <Money e={e} v={e.observed} />
              </td>
              <td className={cx(td, "text-xs")}>
                <Prices e={e} />
              </td>
              <td className={cx(td, "min-w-56 text-xs")}>
                <What e={e} />
              </td>
            </tr>
          ))}
        </Table>
      </div>
    </div>
  );
}
