"use client";

import { useState } from "react";
import { api } from "@/components/ui/api";
import { Input } from "@/components/ui/primitives";
import { formatInr } from "@/lib/format";
import { Cell, NumberInput, RowStatus, useRowSave } from "@/components/settings/row-save";
import type { MarginsJson } from "@/lib/services/settings";

const th = "py-1.5 pr-2 font-medium text-right";
type Amount = Exclude<keyof MarginsJson, "underlying">;
const COLUMNS: [Amount, string][] = [
  ["singleSellExpiryDay", "Single sell · expiry day"],
  ["singleSellOtherDays", "Single sell · other days"],
  ["pairSellExpiryDay", "CE+PE pair · expiry day"],
  ["pairSellOtherDays", "CE+PE pair · other days"],
  ["futures", "Futures"],
  ["optionBuyPremiumPerLot", "Option buy premium"],
];
const BLANK: MarginsJson = {
  underlying: "",
  singleSellExpiryDay: "",
  singleSellOtherDays: "",
  pairSellExpiryDay: "",
  pairSellOtherDays: "",
  futures: "",
  optionBuyPremiumPerLot: "20000",
};

/** Per-lot margin requirements (₹ per lot; a pair figure covers both legs), per underlying. */
export function MarginsTable({ rows }: { rows: MarginsJson[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th className="py-1.5 pr-2 font-medium">Underlying</th>
            {COLUMNS.map(([k, label]) => (
              <th key={k} className={th}>
                {label}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((m) => (
            <MarginsRow key={m.underlying} initial={m} existing />
          ))}
          <MarginsRow key={`new-${rows.length}`} initial={BLANK} existing={false} />
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500">
        Rupees per lot. Seeded with the default margin table; edit when the exchange or your broker changes margins.
      </p>
    </div>
  );
}

function MarginsRow({ initial, existing }: { initial: MarginsJson; existing: boolean }) {
  const [m, setM] = useState(initial);
  const state = useRowSave();
  const set = (patch: Partial<MarginsJson>) => {
    setM((x) => ({ ...x, ...patch }));
    state.clearSaved();
  };
  const u = m.underlying.trim().toUpperCase();
  const rowKey = existing ? u : "new";
  async function save() {
    const body = Object.fromEntries(COLUMNS.map(([k]) => [k, m[k].trim()]));
    const ok = await state.run(() =>
      api(`/api/settings/margins/${encodeURIComponent(u || "_")}`, { method: "PUT", body }),
    );
    if (ok && !existing) setM(BLANK);
  }
  return (
    <tr data-testid={`margins-row-${rowKey}`}>
      <td className="py-1 pr-2 align-top">
        {existing ? (
          <span className="font-medium">{m.underlying}</span>
        ) : (
          <div className="w-28">
            <Input
              aria-label="New margins underlying"
              placeholder="Add…"
              value={m.underlying}
              onChange={(e) => set({ underlying: e.target.value.toUpperCase() })}
            />
          </div>
        )}
      </td>
      {COLUMNS.map(([k, label]) => (
        <Cell key={k} error={state.fields[k]} className="text-right">
          <NumberInput
            label={`${rowKey} ${label}`}
            width="ml-auto w-28"
            value={m[k]}
            onChange={(v) => set({ [k]: v })}
          />
          {/^\d+(\.\d+)?$/.test(m[k].trim()) ? (
            <div className="num mt-0.5 text-[11px] text-slate-400">{formatInr(m[k].trim())}</div>
          ) : null}
        </Cell>
      ))}
      <RowStatus state={state} onSave={save} label={existing ? "Save" : "Add"} disabled={!existing && !u} />
    </tr>
  );
}
