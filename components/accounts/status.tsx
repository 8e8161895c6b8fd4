import { Badge } from "@/components/ui/primitives";
import { formatInr } from "@/lib/format";
import type { AccountJson } from "@/components/accounts/types";

const tone = { CONNECTED: "green", DEGRADED: "amber", FAILED: "red", UNKNOWN: "slate" } as const;
const label = { CONNECTED: "connected", DEGRADED: "degraded", FAILED: "failed", UNKNOWN: "not checked" } as const;

export function HealthBadge({ account }: { account: Pick<AccountJson, "status" | "lastError" | "consecutiveFailures" | "active"> }) {
  if (!account.active) return <Badge tone="slate">inactive</Badge>;
  const title = account.lastError ? `${account.consecutiveFailures} failed check(s): ${account.lastError}` : undefined;
  return (
    <span title={title}>
      <Badge tone={tone[account.status]}>{label[account.status]}</Badge>
    </span>
  );
}

/** Rupees with sign colour: green gains, red losses. */
export function Pnl({ value }: { value: string | null | undefined }) {
  if (value == null) return <span className="text-slate-400">—</span>;
  const n = value.trim().startsWith("-") ? "text-rose-600 dark:text-rose-400" : /^0(\.0+)?$/.test(value) ? "" : "text-emerald-600 dark:text-emerald-400";
  return <span className={`num ${n}`}>{formatInr(value)}</span>;
}

export function Money({ value }: { value: string | null | undefined }) {
  return value == null ? <span className="text-slate-400">—</span> : <span className="num">{formatInr(value)}</span>;
}

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}
