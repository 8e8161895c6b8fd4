import { Badge } from "@/components/ui/primitives";
import { formatDateTime, formatInr, formatInrShort, isLakhOrMore } from "@/lib/format";
import type { AccountJson } from "@/lib/services/accounts";

const tone = { CONNECTED: "green", DEGRADED: "amber", FAILED: "red", UNKNOWN: "slate" } as const;
const label = { CONNECTED: "connected", DEGRADED: "degraded", FAILED: "failed", UNKNOWN: "not checked" } as const;

export function HealthBadge({
  account,
}: {
  account: Pick<AccountJson, "status" | "lastError" | "consecutiveFailures" | "active">;
}) {
  if (!account.active) return <Badge tone="slate">inactive</Badge>;
  const title = account.lastError ? `${account.consecutiveFailures} failed check(s): ${account.lastError}` : undefined;
  return (
    <span title={title}>
      <Badge tone={tone[account.status]}>{label[account.status]}</Badge>
    </span>
  );
}

/**
 * Rupees. `compact` (for totals) shows ₹1 lakh and more as `₹1.62 Cr` / `₹12.35 L` with the exact figure as the
 * hover title; smaller amounts and table cells stay exact.
 */
function Rupees({ value, compact, className }: { value: string; compact?: boolean; className: string }) {
  const exact = formatInr(value);
  if (!compact || !isLakhOrMore(value)) return <span className={className}>{exact}</span>;
  return (
    <span
      className={`${className} cursor-help underline decoration-dotted decoration-slate-400 underline-offset-2`}
      title={exact}
      data-exact={exact}
    >
      {formatInrShort(value)}
    </span>
  );
}

/** Rupees with sign colour: green gains, red losses. */
export function Pnl({ value, compact }: { value: string | null | undefined; compact?: boolean }) {
  if (value == null) return <span className="text-slate-400">—</span>;
  const n = value.trim().startsWith("-")
    ? "text-rose-600 dark:text-rose-400"
    : /^0(\.0+)?$/.test(value)
      ? ""
      : "text-emerald-600 dark:text-emerald-400";
  return <Rupees value={value} compact={compact} className={`num ${n}`} />;
}

export function Money({ value, compact }: { value: string | null | undefined; compact?: boolean }) {
  return value == null ? (
    <span className="text-slate-400">—</span>
  ) : (
    <Rupees value={value} compact={compact} className="num" />
  );
}

/** "3m ago", with the exact time on hover. */
export function Since({ iso }: { iso: string | null }) {
  return <span title={iso ? formatDateTime(iso) : undefined}>{ago(iso)}</span>;
}

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}
