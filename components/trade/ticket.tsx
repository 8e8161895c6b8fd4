"use client";

import { useEffect, useState } from "react";
import { api } from "@/components/ui/api";
import { Card, Field, Input, PageHeader, Select, cx } from "@/components/ui/primitives";
import { AccountPicker } from "@/components/strategies/account-picker";
import { PreviewExecute } from "@/components/runs/preview-execute";
import type { PreviewJson } from "@/lib/services/runs";
import { SymbolSearch, type SymbolJson } from "@/components/trade/symbol-search";
import { formatInr, formatQty } from "@/lib/format";
import { useAccounts } from "@/components/accounts/use-account-funds";

type PriceType = "MARKET" | "LIMIT" | "PROTECTED_LIMIT";
const isFno = (exchange: string) => exchange === "NFO" || exchange === "BFO";

/**
 * Manual ticket: one symbol, one side, N lots to the chosen accounts or groups, through the same run pipeline as
 * strategies (preview, then send; the run view shows the orders going out).
 */
/** A leg handed over by another page (the option chain's bid/ask links): `/trade?symbol=…&exchange=…&action=…`. */
export interface TicketLeg {
  symbol: string;
  exchange: string;
  action: "BUY" | "SELL";
}

export function Ticket({ canWrite, initial }: { canWrite: boolean; initial?: TicketLeg | null }) {
  const accounts = useAccounts();
  const [ids, setIds] = useState<string[]>([]);
  const [tags, setTags] = useState<string[]>([]);
  const [symbol, setSymbol] = useState<SymbolJson | null>(null);
  const [action, setAction] = useState<"BUY" | "SELL">("BUY");
  const [lots, setLots] = useState("1");
  const [product, setProduct] = useState("NRML");
  const [priceType, setPriceType] = useState<PriceType>("PROTECTED_LIMIT");
  const [price, setPrice] = useState("");
  const [band, setBand] = useState("2");

  function pick(s: SymbolJson) {
    setSymbol(s);
    // NRML for F&O, MIS for cash by default; CNC stays a deliberate choice.
    setProduct(isFno(s.exchange) ? "NRML" : "MIS");
  }

  // A handed-over leg is looked up once (lot and freeze sizes come from the market-data source, as for a search).
  const [handover, setHandover] = useState<string | null>(null);
  useEffect(() => {
    if (!initial) return;
    let cancelled = false;
    setAction(initial.action);
    api<{ results: SymbolJson[] }>(
      `/api/symbols/search?${new URLSearchParams({ q: initial.symbol, exchange: initial.exchange })}`,
    )
      .then(({ results }) => {
        if (cancelled) return;
        const found = results.find((r) => r.symbol === initial.symbol && r.exchange === initial.exchange);
        if (found) pick(found);
        else setHandover(`${initial.symbol} was not found on ${initial.exchange}`);
      })
      .catch((e: Error) => !cancelled && setHandover(e.message));
    return () => {
      cancelled = true;
    };
  }, [initial]);

  const body = symbol
    ? {
        accountIds: ids,
        accountTags: tags,
        symbol: symbol.symbol,
        exchange: symbol.exchange,
        action,
        lots: /^\d+$/.test(lots.trim()) ? Number(lots) : Number.NaN,
        product,
        priceType,
        ...(priceType === "LIMIT" ? { price: price.trim() } : {}),
        ...(priceType === "PROTECTED_LIMIT" ? { bandPercent: band.trim() } : {}),
      }
    : null;
  const blocked = !symbol ? "Choose a symbol" : ids.length === 0 && tags.length === 0 ? "Choose accounts" : null;
  const lotCount = Number(lots);

  return (
    <>
      <PageHeader
        title="Trade"
        description="Manual ticket: one order, sized per account (lots × multiplier), sliced below the freeze quantity, sent in parallel."
      />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Card title="Accounts">
          <AccountPicker
            accounts={accounts.data?.accounts ?? []}
            ids={ids}
            tags={tags}
            readOnly={!canWrite}
            onChange={(n) => {
              setIds(n.ids);
              setTags(n.tags);
            }}
          />
        </Card>
        <Card title="Order">
          <div className="space-y-3" aria-label="Ticket form" role="form">
            <SymbolSearch selected={symbol} onSelect={pick} disabled={!canWrite} />
            {handover ? <p className="text-sm text-rose-600">{handover}</p> : null}
            {symbol ? (
              <p className="text-sm" data-testid="ticket-symbol">
                <span className="font-mono font-medium">{symbol.symbol}</span>{" "}
                <span className="text-slate-500">
                  {symbol.exchange} · lot {formatQty(symbol.lotSize)} · tick {formatInr(symbol.tickSize)}
                  {symbol.freezeQty ? ` · freeze ${formatQty(symbol.freezeQty)}` : ""}
                </span>
                {Number.isSafeInteger(lotCount) && lotCount > 0 ? (
                  <span className="ml-2 text-slate-500">
                    = {formatQty(lotCount * symbol.lotSize)} units per account at multiplier 1
                  </span>
                ) : null}
              </p>
            ) : null}
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
              <Field label="Side" htmlFor="t-action">
                <div className="flex" id="t-action" role="group" aria-label="Side">
                  {(["BUY", "SELL"] as const).map((a) => (
                    <button
                      key={a}
                      type="button"
                      aria-pressed={action === a}
                      disabled={!canWrite}
                      onClick={() => setAction(a)}
                      className={cx(
                        "flex-1 px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 first:rounded-l-md last:rounded-r-md disabled:cursor-not-allowed disabled:opacity-50 dark:ring-slate-700",
                        action === a
                          ? a === "BUY"
                            ? "bg-emerald-600 text-white"
                            : "bg-rose-600 text-white"
                          : "bg-white text-slate-600 dark:bg-slate-900",
                      )}
                    >
                      {a}
                    </button>
                  ))}
                </div>
              </Field>
              <Field label="Lots" htmlFor="t-lots">
                <Input
                  id="t-lots"
                  inputMode="numeric"
                  value={lots}
                  disabled={!canWrite}
                  onChange={(e) => setLots(e.target.value)}
                />
              </Field>
              <Field label="Product" htmlFor="t-product">
                <Select
                  id="t-product"
                  className="w-full"
                  value={product}
                  disabled={!canWrite}
                  onChange={(e) => setProduct(e.target.value)}
                >
                  {(symbol && !isFno(symbol.exchange) ? ["MIS", "CNC"] : ["NRML", "MIS"]).map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </Select>
              </Field>
              <Field label="Price type" htmlFor="t-price-type">
                <Select
                  id="t-price-type"
                  className="w-full"
                  value={priceType}
                  disabled={!canWrite}
                  onChange={(e) => setPriceType(e.target.value as PriceType)}
                >
                  <option value="PROTECTED_LIMIT">Protected LIMIT</option>
                  <option value="LIMIT">LIMIT</option>
                  <option value="MARKET">MARKET</option>
                </Select>
              </Field>
              {priceType === "LIMIT" ? (
                <Field label="Limit price ₹" htmlFor="t-price">
                  <Input
                    id="t-price"
                    inputMode="decimal"
                    value={price}
                    disabled={!canWrite}
                    onChange={(e) => setPrice(e.target.value)}
                  />
                </Field>
              ) : priceType === "PROTECTED_LIMIT" ? (
                <Field label="Band ± %" htmlFor="t-band">
                  <Input
                    id="t-band"
                    inputMode="decimal"
                    value={band}
                    disabled={!canWrite}
                    onChange={(e) => setBand(e.target.value)}
                  />
                </Field>
              ) : null}
            </div>
          </div>
        </Card>
      </div>
      <div className="mt-4">
        <PreviewExecute
          key={JSON.stringify(body)}
          title="Preview and send"
          executeLabel="Send"
          blocked={blocked}
          canExecute={canWrite}
          preview={() => api<{ preview: PreviewJson }>("/api/ticket/preview", { body }).then((r) => r.preview)}
          execute={(idempotencyKey) =>
            api<{ runId: string }>("/api/ticket/execute", { body: { ...body, idempotencyKey } })
          }
        />
      </div>
    </>
  );
}
