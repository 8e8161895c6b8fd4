/**
 * Entries refused on stale prices (docs/market-data.md "Stale data"): a new position is not planned on an
 * underlying whose live prices stopped, because the trader could not see what the market is doing. Exits never ask.
 */
import { ConflictError } from "@/lib/errors";
import { formatTimeIst } from "@/lib/format";
import { staleContractsOf } from "@/lib/trading/staleness";
import { feedLabel, type FeedKind } from "../source";
import { liveKey, type StaleFlag } from "./contract";
import { readQuotes, readStaleFlags, setStale } from "./quote-store";

/** The stale contracts of `underlyings` for `kind`, minus those a live tick newer than the flag has cleared. */
async function staleOf(kind: FeedKind, underlyings: readonly string[]): Promise<StaleFlag[]> {
  const flags = [...(await readStaleFlags(kind)).values()];
  if (flags.length === 0) return [];
  const hit = [...new Set(underlyings.flatMap((u) => staleContractsOf(flags, u)))];
  if (hit.length === 0) return [];
  // The watchdog clears a flag on its next sweep once live ticks are back; a request in between clears it here.
  const quotes = await readQuotes(
    kind,
    hit.map((f) => liveKey(f.exchange, f.symbol)),
  );
  const out: StaleFlag[] = [];
  for (const f of hit) {
    const key = liveKey(f.exchange, f.symbol);
    const q = quotes.get(key);
    if (q?.source === "feed" && Date.parse(q.receivedAt) > Date.parse(f.since)) await setStale(kind, key, null);
    else out.push(f);
  }
  return out;
}

function describe(f: StaleFlag): string {
  const last = f.lastTickAt ? `last live tick ${formatTimeIst(f.lastTickAt)}` : "no live tick yet";
  return `${liveKey(f.exchange, f.symbol)} stale since ${formatTimeIst(f.since)} (${last})`;
}

/**
 * Throws 409 naming each underlying and since when (IST) when an underlying the entry trades is stale for `kinds`
 * (the feed kinds of the accounts it targets): its index (or the equity itself) or any contract of it that something
 * wants live is flagged. A contract nothing subscribes is never stale: its prices come from REST at plan time.
 */
export async function assertFreshMarket(kinds: Iterable<FeedKind>, underlyings: Iterable<string>): Promise<void> {
  const wanted = [...new Set([...underlyings].map((u) => u.toUpperCase()))];
  if (wanted.length === 0) return;
  const problems: { underlying: string; text: string }[] = [];
  for (const kind of new Set(kinds)) {
    const stale = await staleOf(kind, wanted);
    for (const u of wanted) {
      const mine = staleContractsOf(stale, u);
      if (mine.length === 0) continue;
      const since = mine.map((f) => f.since).sort()[0];
      problems.push({
        underlying: u,
        text: `${u} live ${feedLabel(kind)} prices are stale since ${formatTimeIst(since)}: ${mine.map(describe).join("; ")}`,
      });
    }
  }
  if (problems.length === 0) return;
  const names = problems.map((p) => p.underlying).join(", ");
  throw new ConflictError(
    `New entries on ${names} are refused while live prices are stale. ${problems.map((p) => p.text).join(". ")}. ` +
      `Exits stay allowed; entries resume once live ticks return.`,
    { underlying: problems.map((p) => p.text) },
  );
}
