"use client";

import { symbolList } from "@/components/copy/copy-format";
import { Field, Input } from "@/components/ui/primitives";

export const EXCHANGES = ["NFO", "BFO", "MCX", "CDS", "NSE", "BSE"] as const;
export const PRODUCTS = ["MIS", "NRML", "CNC"] as const;

/** A group's filters as a form holds them. */
export interface FilterDraft {
  exchanges: string[];
  products: string[];
  allowSymbols: string;
  denySymbols: string;
  windowStart: string;
  windowEnd: string;
}

export const defaultFilters = (): FilterDraft => ({
  exchanges: ["NFO", "BFO"],
  products: [],
  allowSymbols: "",
  denySymbols: "",
  windowStart: "",
  windowEnd: "",
});

/** The filters as the copy-group routes take them (symbol lists split, an empty window end as none). */
export const filterBody = (f: FilterDraft) => ({
  exchanges: f.exchanges,
  products: f.products,
  allowSymbols: symbolList(f.allowSymbols),
  denySymbols: symbolList(f.denySymbols),
  windowStart: f.windowStart || null,
  windowEnd: f.windowEnd || null,
});

function Checks({
  legend,
  options,
  value,
  onChange,
  error,
  hint,
}: {
  legend: string;
  options: readonly string[];
  value: string[];
  onChange: (v: string[]) => void;
  error?: string[];
  hint: string;
}) {
  return (
    <fieldset className="space-y-1">
      <legend className="text-xs font-medium text-slate-600 dark:text-slate-400">{legend}</legend>
      <div className="flex flex-wrap gap-x-3 gap-y-1">
        {options.map((o) => (
          <label key={o} className="flex items-center gap-1 text-sm">
            <input
              type="checkbox"
              aria-label={`${legend} ${o}`}
              checked={value.includes(o)}
              onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))}
            />
            {o}
          </label>
        ))}
      </div>
      <p className="text-xs text-slate-500">{hint}</p>
      {error?.length ? <p className="text-xs text-rose-600 dark:text-rose-400">{error.join(" ")}</p> : null}
    </fieldset>
  );
}

/** What the group copies: exchanges, products, allow/deny symbols and the IST window for opening copies. */
export function FilterFields({
  draft,
  onChange,
  fields,
}: {
  draft: FilterDraft;
  onChange: (patch: Partial<FilterDraft>) => void;
  fields: Record<string, string[]>;
}) {
  const err = (k: string) =>
    Object.entries(fields)
      .filter(([f]) => f === k || f.startsWith(k + "."))
      .flatMap(([, v]) => v);
  return (
    <div className="grid gap-3 md:grid-cols-2">
      <Checks
        legend="Exchanges"
        options={EXCHANGES}
        value={draft.exchanges}
        onChange={(exchanges) => onChange({ exchanges })}
        error={err("exchanges")}
        hint="F&O (NFO, BFO) by default."
      />
      <Checks
        legend="Products"
        options={PRODUCTS}
        value={draft.products}
        onChange={(products) => onChange({ products })}
        error={err("products")}
        hint="None ticked = every product."
      />
      <Field label="Allow symbols (empty = all)" htmlFor="copy-allow" error={err("allowSymbols")}>
        <Input
          id="copy-allow"
          placeholder="NIFTY, BANKNIFTY or exact symbols"
          value={draft.allowSymbols}
          onChange={(e) => onChange({ allowSymbols: e.target.value })}
        />
      </Field>
      <Field label="Deny symbols" htmlFor="copy-deny" error={err("denySymbols")}>
        <Input
          id="copy-deny"
          placeholder="e.g. SENSEX"
          value={draft.denySymbols}
          onChange={(e) => onChange({ denySymbols: e.target.value })}
        />
      </Field>
      <div className="grid grid-cols-2 gap-2 md:col-span-2 md:max-w-md">
        <Field label="Opening window start (IST)" htmlFor="copy-window-start" error={err("windowStart")}>
          <Input
            id="copy-window-start"
            type="time"
            value={draft.windowStart}
            onChange={(e) => onChange({ windowStart: e.target.value })}
          />
        </Field>
        <Field label="Opening window end (IST)" htmlFor="copy-window-end" error={err("windowEnd")}>
          <Input
            id="copy-window-end"
            type="time"
            value={draft.windowEnd}
            onChange={(e) => onChange({ windowEnd: e.target.value })}
          />
        </Field>
        <p className="col-span-2 text-xs text-slate-500">
          Blank = the session&apos;s own hours. Closing copies go out at any time.
        </p>
      </div>
    </div>
  );
}
