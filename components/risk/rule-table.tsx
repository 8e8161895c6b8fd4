import { Badge, Table, cx } from "@/components/ui/primitives";
import { ruleRows, STATE_CHIP, type RuleRow } from "@/components/risk/risk-format";
import type { RiskRunJson } from "@/lib/services/risk";

const td = "px-2 py-1 whitespace-nowrap";

/** Rules that take profit: nearing them is good news, so their bar stays green. */
const GAINS = new Set(["TARGET", "LEG_TAKE_PROFIT"]);

function barTone(row: RuleRow): string {
  if (GAINS.has(row.rule)) return "bg-emerald-500";
  const used = row.used ?? 0;
  return used >= 0.8 ? "bg-rose-500" : used >= 0.5 ? "bg-amber-500" : "bg-emerald-500";
}

/** The distance to a rule's level, with a bar of how much of its cushion is used when that is known. */
function Distance({ row }: { row: RuleRow }) {
  return (
    <div className="flex items-center gap-2">
      <span className={cx("num", row.breached && "font-semibold text-rose-600 dark:text-rose-400")}>
        {row.distance}
      </span>
      {row.used !== null ? (
        <span
          className="h-1.5 w-16 shrink-0 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
          role="meter"
          aria-label={`${row.label}: share of the way to its level`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(row.used * 100)}
          title={`${Math.round(row.used * 100)} % of the way to the level`}
        >
          <span className={cx("block h-full", barTone(row))} style={{ width: `${row.used * 100}%` }} />
        </span>
      ) : null}
    </div>
  );
}

/**
 * A run's rules, one row each: state and distance first (a phone shows the distance under the state, without
 * scrolling), then level, observed value and the setting.
 */
export function RuleTable({ run }: { run: RiskRunJson }) {
  const rows = ruleRows(run);
  const symbolOf = (legIndex?: number) => run.legs.find((l) => l.legIndex === legIndex)?.symbol;
  return (
    <Table
      head={
        <tr>
          <th className="px-2 py-1.5">Rule</th>
          <th className="px-2 py-1.5">State</th>
          <th className="hidden px-2 py-1.5 sm:table-cell">Distance</th>
          <th className="px-2 py-1.5 text-right">Level</th>
          <th className="px-2 py-1.5 text-right">Observed</th>
          <th className="px-2 py-1.5">Setting</th>
        </tr>
      }
    >
      {rows.map((r) => (
        <tr key={r.key} data-testid="risk-rule-row" data-rule={r.key} data-state={r.state} className="align-top">
          <td className={td}>
            <span className="font-medium">{r.label}</span>
            {r.legIndex !== undefined && symbolOf(r.legIndex) ? (
              <span className="block font-mono text-xs text-slate-500">{symbolOf(r.legIndex)}</span>
            ) : null}
          </td>
          <td className="max-w-64 min-w-28 px-2 py-1">
            <Badge tone={STATE_CHIP[r.state].tone}>{STATE_CHIP[r.state].text}</Badge>
            {/* Phones show the distance here, without scrolling to its column. */}
            <div className="mt-0.5 text-xs sm:hidden">
              <Distance row={r} />
            </div>
            {r.note ? <span className="block text-xs text-slate-500">{r.note}</span> : null}
          </td>
          <td className={cx(td, "hidden sm:table-cell")}>
            <Distance row={r} />
          </td>
          <td className={cx(td, "num text-right")}>{r.level}</td>
          <td className={cx(td, "num text-right")}>{r.observed}</td>
          <td className={cx(td, "text-slate-600 dark:text-slate-300")}>{r.setting}</td>
        </tr>
      ))}
    </Table>
  );
}
