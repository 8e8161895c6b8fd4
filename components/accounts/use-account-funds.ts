"use client";

import Decimal from "decimal.js";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import type { AccountJson, AccountSlice } from "@/lib/services/accounts";

/**
 * The user's accounts, live: read afresh whenever a page that picks or lists them opens (an account linked a second
 * ago elsewhere must be choosable at once) and every 10 s while it is open.
 */
export function useAccounts() {
  return useQuery({
    queryKey: ["accounts"],
    queryFn: () => api<{ accounts: AccountJson[] }>("/api/accounts"),
    refetchInterval: 10_000,
    refetchOnMount: "always",
  });
}

/**
 * The user's accounts and their funds (every 5 s, from the cached books), with totals over the accounts whose funds
 * could be read. Available margin and cash are the two definitions of docs/trading-facts.md "Funds", computed on the
 * server.
 */
export function useAccountFunds() {
  const accounts = useAccounts();
  const funds = useQuery({
    queryKey: ["book", "funds"],
    queryFn: () => api<{ accounts: AccountSlice<"funds">[] }>("/api/books/funds"),
    refetchInterval: 5_000,
    enabled: (accounts.data?.accounts.length ?? 0) > 0,
  });
  const byId = new Map((funds.data?.accounts ?? []).map((s) => [s.accountId, s]));
  const totals = [...byId.values()].reduce(
    (t, s) =>
      s.ok
        ? {
            margin: t.margin.plus(s.data.availableMargin),
            cash: t.cash.plus(s.data.cash),
            realised: t.realised.plus(s.data.realisedPnl),
            unrealised: t.unrealised.plus(s.data.unrealisedPnl),
            unreadable: t.unreadable,
          }
        : { ...t, unreadable: t.unreadable + 1 },
    {
      margin: new Decimal(0),
      cash: new Decimal(0),
      realised: new Decimal(0),
      unrealised: new Decimal(0),
      unreadable: 0,
    },
  );
  return { accounts, funds, byId, totals };
}
