import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { Ticket, type TicketLeg } from "@/components/trade/ticket";

export const metadata: Metadata = { title: "Trade" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

/** A leg handed over in the query string (`symbol`, `exchange`, `action`), or none when any part is missing or odd. */
function legOf(q: Search): TicketLeg | null {
  const symbol = one(q.symbol)?.trim().toUpperCase();
  const exchange = one(q.exchange)?.trim().toUpperCase();
  const action = one(q.action)?.toUpperCase();
  if (!symbol || !/^[A-Z0-9&-]{1,40}$/.test(symbol) || !exchange || !/^[A-Z_]{2,12}$/.test(exchange)) return null;
  return { symbol, exchange, action: action === "SELL" ? "SELL" : "BUY" };
}

export default async function TradePage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await currentUser();
  return <Ticket canWrite={!!user && canWrite(user)} initial={legOf(await searchParams)} />;
}
