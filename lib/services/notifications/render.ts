/**
 * The text of a message (docs/notifications.md "Batching"). A run's fills and rejections are summarised from the
 * stored intents of the recipient's accounts (so a 50-account fill reads "50 accounts … 75 each", and a later burst of
 * the same run reads the run as it then stands); any other burst lists its events, one line each. Pure.
 */
import Decimal from "decimal.js";
import { formatInr, formatQty, RUN_KIND_LABEL } from "@/lib/format";
import type { RunKind } from "@/lib/generated/prisma/client";
import type { RunOutcomeFacts } from "@/lib/db/queries/notifications";
import { parseDerivativeSymbol } from "@/lib/trading/symbols";

export interface MessageText {
  title: string;
  body: string;
}

/** Telegram allows 4,096 characters per message; every channel gets the same cap. */
export const MAX_BODY_CHARS = 3_500;
/** Lines a folded message lists before it only counts the rest. */
export const MAX_LINES = 20;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `NIFTY 24500 CE 30 Dec`, `NIFTY FUT 30 Dec`; anything else as it is. */
export function contractLabel(symbol: string): string {
  const p = parseDerivativeSymbol(symbol);
  if (!p) return symbol;
  const [, month, day] = p.expiry.split("-").map(Number);
  const expiry = `${day} ${MONTHS[month - 1]}`;
  return p.kind === "option"
    ? `${p.underlying} ${p.strike} ${p.optionType} ${expiry}`
    : `${p.underlying} FUT ${expiry}`;
}

const moreLine = /^…and \d+ more$/;

/**
 * Folds one more event into a message that has `events` already: the first fold turns the message into a list of
 * lines (`title: body`), later ones add a line, and past MAX_LINES only the count grows.
 */
export function foldLines(existing: MessageText & { events: number }, event: MessageText): MessageText {
  const line = (m: MessageText) => clip(`${m.title}: ${m.body.replace(/\s*\n\s*/g, "; ")}`, 300);
  const lines =
    existing.events === 1 ? [line(existing)] : existing.body.split("\n").filter((l) => l && !moreLine.test(l));
  const events = existing.events + 1;
  if (lines.length < MAX_LINES) lines.push(line(event));
  if (events > lines.length) lines.push(`…and ${events - lines.length} more`);
  const first = existing.events === 1 ? existing.title : existing.title.replace(/ \(\+\d+ more\)$/, "");
  return { title: clip(`${first} (+${events - 1} more)`, 200), body: clip(lines.join("\n"), MAX_BODY_CHARS) };
}

/** A run's intents as the summaries read them (one statement: lib/db/queries/notifications.ts runOutcomeFacts). */
export type RunFacts = RunOutcomeFacts;

function runLabel(f: RunFacts): string {
  const kind = RUN_KIND_LABEL[f.kind as RunKind] ?? f.kind;
  return f.strategy ? `${f.kind === "STRATEGY" ? "" : `${kind} of `}"${f.strategy.name}"` : kind;
}

/** `acct 1, acct 2, acct 3 +47 more`. */
function names(list: readonly string[], max = 3): string {
  const sorted = [...new Set(list)].sort();
  return sorted.length > max ? `${sorted.slice(0, max).join(", ")} +${sorted.length - max} more` : sorted.join(", ");
}

const range = (values: readonly string[]) => {
  const uniq = [...new Set(values)];
  return uniq.length === 1 ? uniq[0] : `${uniq[0]}–${uniq[uniq.length - 1]}`;
};

/**
 * What filled so far, per leg over the recipient's accounts: `NIFTY 24500 CE 30 Dec SELL 75 each, avg ₹123.40–₹123.60
 * (50 accounts)`. Null when nothing filled.
 */
export function fillsMessage(f: RunFacts): MessageText | null {
  // Per leg and account: filled and target units, and the fill-weighted average price.
  const legs = new Map<number, { symbol: string; action: string; accounts: Map<string, AccountLeg> }>();
  for (const i of f.intents) {
    const leg = legs.get(i.legIndex) ?? { symbol: i.symbol, action: i.action, accounts: new Map() };
    legs.set(i.legIndex, leg);
    const a = leg.accounts.get(i.accountId) ?? {
      name: i.account.name,
      filled: 0,
      target: 0,
      priced: 0,
      cost: new Decimal(0),
    };
    leg.accounts.set(i.accountId, a);
    a.target += i.quantity;
    a.filled += i.filledQuantity;
    if (i.filledQuantity > 0 && i.averagePrice !== null) {
      a.priced += i.filledQuantity;
      a.cost = a.cost.plus(new Decimal(i.averagePrice).times(i.filledQuantity));
    }
  }
  const lines: string[] = [];
  const filledAccounts = new Set<string>();
  const partly = new Set<string>();
  for (const [, leg] of [...legs].sort((x, y) => x[0] - y[0])) {
    const filled = [...leg.accounts].filter(([, a]) => a.filled > 0);
    if (filled.length === 0) continue;
    for (const [id, a] of filled) {
      filledAccounts.add(a.name);
      if (a.filled < a.target) partly.add(id);
    }
    const qtys = filled.map(([, a]) => a.filled).sort((x, y) => x - y);
    const same = qtys[0] === qtys.at(-1);
    const qty = same ? formatQty(qtys[0]) : `${formatQty(qtys[0])}–${formatQty(qtys.at(-1)!)} per account`;
    const prices = filled
      .filter(([, a]) => a.priced > 0)
      .map(([, a]) => a.cost.div(a.priced))
      .sort((x, y) => x.comparedTo(y))
      .map((p) => formatInr(p));
    const avg = prices.length > 0 ? `, avg ${range(prices)}` : ", price not reported yet";
    const each = filled.length > 1 && same ? " each" : "";
    const where = filled.length > 1 ? ` (${filled.length} accounts)` : ` in ${filled[0][1].name}`;
    lines.push(`${contractLabel(leg.symbol)} ${leg.action} ${qty}${each}${avg}${where}`);
  }
  if (lines.length === 0) return null;
  if (partly.size > 0) lines.push(`${partly.size} account(s) partly filled so far.`);
  const who = filledAccounts.size > 3 ? `${filledAccounts.size} accounts` : names([...filledAccounts]);
  return { title: clip(`Filled: ${runLabel(f)} — ${who}`, 200), body: clip(lines.join("\n"), MAX_BODY_CHARS) };
}

interface AccountLeg {
  name: string;
  /** Units filled and planned over the leg's slices. */
  filled: number;
  target: number;
  /** Filled units with a known average price, and their cost (₹). */
  priced: number;
  cost: Decimal;
}

/**
 * What the broker refused, with its reason, per leg and reason: `NIFTY 24500 CE 30 Dec SELL 75: RMS: margin
 * shortfall — acct 1, acct 2`. Null when nothing was rejected.
 */
export function rejectionsMessage(f: RunFacts): MessageText | null {
  const rejected = f.intents.filter((i) => i.state === "rejected" || i.state === "rejected_late");
  if (rejected.length === 0) return null;
  const groups = new Map<string, { label: string; accounts: string[] }>();
  for (const i of rejected) {
    const reason = clip(i.reason?.trim() || "no reason given", 200);
    const late = i.state === "rejected_late" ? " (after acceptance)" : "";
    const label = `${contractLabel(i.symbol)} ${i.action} ${formatQty(i.quantity)}: ${reason}${late}`;
    const g = groups.get(label) ?? { label, accounts: [] };
    groups.set(label, g);
    g.accounts.push(i.account.name);
  }
  const lines = [...groups.values()].map((g) => `${g.label} — ${names(g.accounts, 5)}`);
  const accounts = new Set(rejected.map((i) => i.account.name));
  const who = accounts.size > 3 ? `${accounts.size} accounts` : names([...accounts]);
  return {
    title: clip(`Rejected: ${runLabel(f)} — ${who}`, 200),
    body: clip(
      [
        ...lines.slice(0, MAX_LINES),
        ...(lines.length > MAX_LINES ? [`…and ${lines.length - MAX_LINES} more`] : []),
      ].join("\n"),
      MAX_BODY_CHARS,
    ),
  };
}

/** The text one channel sends: Telegram and e-mail bodies carry the title too. */
export function plainText(m: MessageText): string {
  return `${m.title}\n\n${m.body}`.trim();
}
