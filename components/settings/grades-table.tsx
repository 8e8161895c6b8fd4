"use client";

import { useState } from "react";
import { api } from "@/components/ui/api";
import { Input } from "@/components/ui/primitives";
import { Cell, Choice, NumberInput, RowStatus, useRowSave } from "@/components/settings/row-save";
import type { GradeJson } from "@/lib/services/settings";

const th = "py-1.5 pr-2 font-medium";
const SOURCES: [string, string][] = [
  ["available", "Available margin (sellers)"],
  ["cash", "Cash (option buyers)"],
];
const BLANK: GradeJson = { id: "", label: "", percent: "", source: "available" };

/** Quality grades: A/B/C seeded, custom grades added here; each is a percentage of available margin or of cash. */
export function GradesTable({ rows }: { rows: GradeJson[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th className={th}>Id</th>
            <th className={th}>Label</th>
            <th className={`${th} text-right`}>% of source</th>
            <th className={th}>Margin source</th>
            <th />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((g) => (
            <GradeRow key={g.id} initial={g} existing />
          ))}
          <GradeRow key={`new-${rows.length}`} initial={BLANK} existing={false} />
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500">
        usable = source × grade %; lots = floor(usable ÷ margin per lot). A grade still used by a strategy cannot be
        deleted.
      </p>
    </div>
  );
}

function GradeRow({ initial, existing }: { initial: GradeJson; existing: boolean }) {
  const [g, setG] = useState(initial);
  const state = useRowSave();
  const del = useRowSave();
  const f = state.fields;
  const set = (patch: Partial<GradeJson>) => {
    setG((x) => ({ ...x, ...patch }));
    state.clearSaved();
  };
  const id = g.id.trim();
  // The add row keeps its own labels while an id is typed into it.
  const k = existing ? id : "new";
  async function save() {
    const ok = await state.run(() =>
      api(`/api/settings/grades/${encodeURIComponent(id || "_")}`, {
        method: "PUT",
        body: { label: g.label, percent: g.percent.trim(), source: g.source },
      }),
    );
    if (ok && !existing) setG(BLANK);
  }
  async function remove() {
    if (!confirm(`Delete grade ${g.label || g.id}?`)) return;
    await del.run(() => api(`/api/settings/grades/${encodeURIComponent(id)}`, { method: "DELETE" }));
  }
  return (
    <tr data-testid={`grade-row-${k}`}>
      <Cell error={f.id}>
        {existing ? (
          <span className="font-mono font-medium">{g.id}</span>
        ) : (
          <div className="w-28">
            <Input
              aria-label="New grade id"
              placeholder="Add id…"
              value={g.id}
              onChange={(e) => set({ id: e.target.value })}
            />
          </div>
        )}
      </Cell>
      <Cell error={f.label}>
        <div className="w-56">
          <Input aria-label={`${k} label`} value={g.label} onChange={(e) => set({ label: e.target.value })} />
        </div>
      </Cell>
      <Cell error={f.percent}>
        <NumberInput label={`${k} percent`} width="w-20" value={g.percent} onChange={(v) => set({ percent: v })} />
      </Cell>
      <Cell error={f.source}>
        <Choice
          label={`${k} margin source`}
          value={g.source}
          options={SOURCES}
          onChange={(v) => set({ source: v as GradeJson["source"] })}
        />
      </Cell>
      <RowStatus state={state} onSave={save} label={existing ? "Save" : "Add"} disabled={!existing && !id} />
      <td className="py-1 align-top">
        {existing ? (
          <>
            <button
              type="button"
              onClick={remove}
              disabled={del.busy}
              className="rounded px-2 py-1 text-xs text-rose-600 enabled:hover:bg-rose-50 disabled:cursor-not-allowed disabled:text-slate-400 dark:enabled:hover:bg-rose-500/10"
            >
              Delete
            </button>
            {del.error ? (
              <div role="alert" className="max-w-48 text-xs text-rose-600">
                {del.error}
              </div>
            ) : null}
          </>
        ) : null}
      </td>
    </tr>
  );
}
