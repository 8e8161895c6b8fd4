"use client";

import { HealthBadge } from "@/components/accounts/status";
import type { AccountJson } from "@/lib/services/accounts";

/**
 * Which accounts a strategy or ticket trades in: explicit accounts and/or tag groups (every active account that
 * carries the tag at run time). Shows how many distinct accounts the selection reaches now.
 */
export function AccountPicker({
  accounts,
  ids,
  tags,
  onChange,
  readOnly,
  error,
}: {
  accounts: AccountJson[];
  ids: string[];
  tags: string[];
  onChange: (next: { ids: string[]; tags: string[] }) => void;
  readOnly: boolean;
  error?: string[];
}) {
  const allTags = [...new Set(accounts.flatMap((a) => a.tags))].sort();
  const reached = accounts.filter((a) => a.active && (ids.includes(a.id) || a.tags.some((t) => tags.includes(t))));
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const active = accounts.filter((a) => a.active);

  return (
    <fieldset className="space-y-2" aria-label="Accounts">
      <div className="flex items-center justify-between">
        <legend className="text-xs font-medium text-slate-600 dark:text-slate-400">Accounts</legend>
        <span className="text-xs text-slate-500" data-testid="accounts-reached">
          {reached.length} account{reached.length === 1 ? "" : "s"} selected
          {!readOnly && active.length > 0 ? (
            <>
              {" · "}
              <button
                type="button"
                className="text-indigo-600 hover:underline dark:text-indigo-300"
                onClick={() => onChange({ ids: active.map((a) => a.id), tags })}
              >
                all
              </button>
              {" · "}
              <button
                type="button"
                className="text-indigo-600 hover:underline dark:text-indigo-300"
                onClick={() => onChange({ ids: [], tags: [] })}
              >
                none
              </button>
            </>
          ) : null}
        </span>
      </div>
      {accounts.length === 0 ? (
        <p className="text-sm text-slate-500">No accounts linked yet: link one on the Accounts page.</p>
      ) : null}
      <div className="grid grid-cols-1 gap-1 sm:grid-cols-2 xl:grid-cols-3">
        {accounts.map((a) => (
          <label
            key={a.id}
            className="flex items-center gap-2 rounded px-1.5 py-1 text-sm hover:bg-slate-50 dark:hover:bg-slate-800/60"
          >
            <input
              type="checkbox"
              checked={ids.includes(a.id)}
              disabled={readOnly || !a.active}
              onChange={() => onChange({ ids: toggle(ids, a.id), tags })}
            />
            <span className="font-medium">{a.name}</span>
            <HealthBadge account={a} />
            {a.tags.length ? <span className="truncate text-xs text-slate-500">{a.tags.join(" · ")}</span> : null}
          </label>
        ))}
      </div>
      {allTags.length ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-xs text-slate-500">Groups:</span>
          {allTags.map((t) => (
            <label key={t} className="flex items-center gap-1 rounded bg-slate-100 px-2 py-0.5 dark:bg-slate-800">
              <input
                type="checkbox"
                checked={tags.includes(t)}
                disabled={readOnly}
                onChange={() => onChange({ ids, tags: toggle(tags, t) })}
              />
              {t} <span className="text-xs text-slate-500">({accounts.filter((a) => a.tags.includes(t)).length})</span>
            </label>
          ))}
        </div>
      ) : null}
      {error?.length ? <p className="text-xs text-rose-600 dark:text-rose-400">{error.join(" ")}</p> : null}
    </fieldset>
  );
}
