/**
 * The simulated Fyers holdings, funds ledger and profile (docs/brokers/fyers.md "Mappings"), from the engine's answers.
 */
import type { InstanceState } from "@/lib/simulator/types";
import { symbolOf } from "./accounts";
import type { FyersSymbology } from "./symbols";

type Row = Record<string, unknown>;

const n = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));
const round2 = (v: number): number => Math.round(v * 100) / 100;

export function holdingsBody(sym: FyersSymbology, holdings: readonly Row[]): Row {
  const rows = holdings.map((h, i) => {
    const s = symbolOf(sym, h);
    const qty = n(h.quantity);
    const ltp = n(h.ltp);
    const pl = n(h.pnl);
    const cost = h.average_price !== undefined ? n(h.average_price) : qty ? round2(ltp - pl / qty) : 0;
    return {
      holdingType: "HLD",
      quantity: qty,
      costPrice: cost,
      marketVal: round2(ltp * qty),
      remainingQuantity: qty,
      pl,
      ltp,
      id: i,
      fyToken: s?.entry.fyToken ?? "",
      exchange: s?.entry.exchange ?? 10,
      symbol: s?.entry.symTicker ?? String(h.symbol),
      segment: s?.entry.segment ?? 10,
      isin: s?.entry.isin ?? "",
      qty_t1: 0,
      remainingPledgeQuantity: qty,
      collateralQuantity: 0,
    };
  });
  const invested = round2(rows.reduce((a, r) => a + r.costPrice * r.quantity, 0));
  const current = round2(rows.reduce((a, r) => a + r.marketVal, 0));
  return {
    s: "ok",
    code: 200,
    message: "",
    holdings: rows,
    overall: {
      count_total: rows.length,
      total_investment: invested,
      total_current_value: current,
      total_pl: round2(current - invested),
      pnl_perc: invested ? round2(((current - invested) / invested) * 100) : 0,
    },
  };
}

const FUND_TITLES = [
  "Total Balance",
  "Utilized Amount",
  "Clear Balance",
  "Realized Profit and Loss",
  "Collaterals",
  "Fund Transfer",
  "Receivables",
  "Adhoc Limit",
  "Limit at start of the day",
  "Available Balance",
];

/** Fyers' `fund_limit` ledger from the engine's funds (availablecash is already net of margin in use). */
export function fundsBody(f: Row): Row {
  const cash = n(f.availablecash);
  const collateral = n(f.collateral);
  const used = n(f.utiliseddebits);
  const realized = n(f.m2mrealized);
  const values = [cash + used, used, cash, realized, collateral, 0, 0, 0, cash + used - realized, cash + collateral];
  return {
    code: 200,
    message: "",
    s: "ok",
    fund_limit: FUND_TITLES.map((title, i) => ({
      id: i + 1,
      title,
      equityAmount: round2(values[i]),
      commodityAmount: 0,
    })),
  };
}

export function profileBody(inst: InstanceState): Row {
  return {
    s: "ok",
    code: 200,
    message: "",
    data: {
      fy_id: inst.id,
      name: `SIM TRADER ${inst.id.toUpperCase()}`,
      display_name: inst.id.toUpperCase(),
      image: null,
      email_id: `${inst.id}@example.invalid`,
      PAN: "XXXXX0000X",
      pin_change_date: "01-01-2026 00:00:00",
      pwd_change_date: null,
      mobile_number: "9999999999",
      totp: true,
      pwd_to_expire: 90,
      ddpi_enabled: false,
      mtf_enabled: false,
    },
  };
}
