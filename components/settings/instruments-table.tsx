"use client";

import { useState } from "react";
import { api } from "@/components/ui/api";
import { Input } from "@/components/ui/primitives";
import { Cell, Choice, NumberInput, RowStatus, useRowSave } from "@/components/settings/row-save";
import type { InstrumentSettings } from "@/lib/trading/instruments";

const WEEKDAYS: [string, string][] = [
  ["1", "Mon"],
  ["2", "Tue"],
  ["3", "Wed"],
  ["4", "Thu"],
  ["5", "Fri"],
];
const th = "py-1.5 pr-2 font-medium";

interface Draft {
  underlying: string;
  exchange: string;
  indexExchange: string;
  strikeStep: string;
  lotSize: string;
  nextMonthLotSize: string;
  freezeQty: string;
  tickSize: string;
  weekly: boolean;
  weekday: string;
}

const toDraft = (s: InstrumentSettings): Draft => ({
  underlying: s.underlying,
  exchange: s.exchange,
  indexExchange: s.indexExchange,
  strikeStep: String(s.strikeStep),
  lotSize: String(s.lotSize),
  nextMonthLotSize: String(s.nextMonthLotSize),
  freezeQty: String(s.freezeQty),
  tickSize: String(s.tickSize),
  weekly: s.expiry.weekly,
  weekday: String(s.expiry.weekday),
});

const BLANK: Draft = {
  underlying: "",
  exchange: "NFO",
  indexExchange: "NSE_INDEX",
  strikeStep: "",
  lotSize: "",
  nextMonthLotSize: "",
  freezeQty: "",
  tickSize: "0.05",
  weekly: false,
  weekday: "2",
};

// Contract settings are small whole numbers and a tick; the API validates them (zod) and answers per field.
const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));

function body(d: Draft) {
  return {
    underlying: d.underlying.trim().toUpperCase(),
    exchange: d.exchange,
    indexExchange: d.indexExchange,
    strikeStep: num(d.strikeStep),
    lotSize: num(d.lotSize),
    nextMonthLotSize: num(d.nextMonthLotSize),
    freezeQty: num(d.freezeQty),
    tickSize: num(d.tickSize),
    expiry: { weekly: d.weekly, weekday: num(d.weekday) },
  };
}

/**
 * Contract settings per underlying (docs/trading-facts.md "Instruments and lot sizes"): one row per underlying, saved
 * row by row.
 */
export function InstrumentsTable({ rows }: { rows: InstrumentSettings[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th className={th}>Underlying</th>
            <th className={th}>Exchange</th>
            <th className={th}>Index quote</th>
            <th className={`${th} text-right`}>Strike step</th>
            <th className={`${th} text-right`}>Lot size</th>
            <th className={`${th} text-right`}>Next-month lot</th>
            <th className={`${th} text-right`}>Freeze qty</th>
            <th className={`${th} text-right`}>Tick ₹</th>
            <th className={th}>Expiries</th>
            <th />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((r) => (
            <InstrumentRow key={r.underlying} initial={toDraft(r)} existing />
          ))}
          <InstrumentRow key={`new-${rows.length}`} initial={BLANK} existing={false} />
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500">
        Freeze qty 1 means unknown (no slicing). OpenAlgo&apos;s /symbol lot size and freeze quantity win over these
        when the broker reports valid values.
      </p>
    </div>
  );
}

function InstrumentRow({ initial, existing }: { initial: Draft; existing: boolean }) {
  const [d, setD] = useState(initial);
  const state = useRowSave();
  const f = state.fields;
  const set = (patch: Partial<Draft>) => {
    setD((x) => ({ ...x, ...patch }));
    state.clearSaved();
  };
  const u = existing ? d.underlying : "new";
  async function save() {
    const b = body(d);
    const ok = await state.run(() =>
      api(`/api/settings/instruments/${encodeURIComponent(b.underlying || "_")}`, { method: "PUT", body: b }),
    );
    if (ok && !existing) setD(BLANK);
  }
  return (
    <tr data-testid={`instrument-row-${u}`}>
      <Cell error={f.underlying}>
        {existing ? (
          <span className="font-medium">{d.underlying}</span>
        ) : (
          <div className="w-28">
            <Input
              aria-label="New underlying"
              placeholder="Add…"
              value={d.underlying}
              onChange={(e) => set({ underlying: e.target.value.toUpperCase() })}
            />
          </div>
        )}
      </Cell>
      <Cell error={f.exchange}>
        <Choice
          label={`${u} exchange`}
          value={d.exchange}
          options={[
            ["NFO", "NFO"],
            ["BFO", "BFO"],
          ]}
          onChange={(v) => set({ exchange: v })}
        />
      </Cell>
      <Cell error={f.indexExchange}>
        <Choice
          label={`${u} index exchange`}
          value={d.indexExchange}
          options={[
            ["NSE_INDEX", "NSE_INDEX"],
            ["BSE_INDEX", "BSE_INDEX"],
          ]}
          onChange={(v) => set({ indexExchange: v })}
        />
      </Cell>
      <Cell error={f.strikeStep}>
        <NumberInput
          label={`${u} strike step`}
          width="w-20"
          value={d.strikeStep}
          onChange={(v) => set({ strikeStep: v })}
        />
      </Cell>
      <Cell error={f.lotSize}>
        <NumberInput label={`${u} lot size`} width="w-20" value={d.lotSize} onChange={(v) => set({ lotSize: v })} />
      </Cell>
      <Cell error={f.nextMonthLotSize}>
        <NumberInput
          label={`${u} next-month lot size`}
          width="w-20"
          value={d.nextMonthLotSize}
          onChange={(v) => set({ nextMonthLotSize: v })}
        />
      </Cell>
      <Cell error={f.freezeQty}>
        <NumberInput
          label={`${u} freeze quantity`}
          width="w-24"
          value={d.freezeQty}
          onChange={(v) => set({ freezeQty: v })}
        />
      </Cell>
      <Cell error={f.tickSize}>
        <NumberInput label={`${u} tick size`} width="w-20" value={d.tickSize} onChange={(v) => set({ tickSize: v })} />
      </Cell>
      <Cell error={[...(f["expiry.weekly"] ?? []), ...(f["expiry.weekday"] ?? []), ...(f.expiry ?? [])]}>
        <div className="flex items-center gap-1.5 text-xs">
          <Choice
            label={`${u} expiry cycle`}
            value={d.weekly ? "weekly" : "monthly"}
            options={[
              ["weekly", "Weekly + monthly"],
              ["monthly", "Monthly only"],
            ]}
            onChange={(v) => set({ weekly: v === "weekly" })}
          />
          <Choice
            label={`${u} expiry weekday`}
            value={d.weekday}
            options={WEEKDAYS}
            onChange={(v) => set({ weekday: v })}
          />
        </div>
      </Cell>
      <RowStatus
        state={state}
        onSave={save}
        label={existing ? "Save" : "Add"}
        disabled={!existing && !d.underlying.trim()}
      />
    </tr>
  );
}
