"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, Field, Input } from "@/components/ui/primitives";
import { formatInr } from "@/lib/format";
import type { AccountJson } from "@/lib/services/accounts";

/**
 * An account's daily loss limit (docs/risk.md): when its P&L for the IST day reaches −limit, the risk engine exits
 * the account and blocks its new entries for the rest of the day. Saved on its own (`PUT /api/accounts/:id/risk`),
 * so changing it never needs a broker connection test.
 */
export function DailyLossLimit({ account, canWrite }: { account: AccountJson; canWrite: boolean }) {
  const qc = useQueryClient();
  const [value, setValue] = useState(account.dailyLossLimit ?? "");
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (dailyLossLimit: string | null) =>
      api(`/api/accounts/${account.id}/risk`, { method: "PUT", body: { dailyLossLimit } }),
    onSuccess: () => {
      setSaved(true);
      void qc.invalidateQueries({ queryKey: ["account", account.id] });
      void qc.invalidateQueries({ queryKey: ["accounts"] });
    },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const current = account.dailyLossLimit ? formatInr(account.dailyLossLimit) : "no limit";

  return (
    <Card title="Daily loss limit">
      <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
        When this account&apos;s P&L for the day (IST) reaches minus the limit, its positions are exited and new entries
        are blocked for the rest of the day.
      </p>
      {canWrite ? (
        <form
          aria-label="Daily loss limit"
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            save.mutate(value.trim() || null);
          }}
        >
          <div className="w-44">
            <Field label="Daily loss limit ₹" htmlFor="acc-daily-loss" error={error?.fields?.dailyLossLimit}>
              <Input
                id="acc-daily-loss"
                inputMode="decimal"
                placeholder="blank = none"
                aria-invalid={!!error?.fields?.dailyLossLimit}
                value={value}
                onChange={(e) => {
                  setValue(e.target.value);
                  setSaved(false);
                }}
              />
            </Field>
          </div>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save limit"}
          </Button>
          <span className="pb-1.5 text-xs text-slate-500" data-testid="daily-loss-limit">
            In force: {current}
          </span>
        </form>
      ) : (
        <p className="text-sm" data-testid="daily-loss-limit">
          In force: {current}
        </p>
      )}
      {save.error && !error?.fields?.dailyLossLimit ? (
        <div className="mt-2">
          <Alert>{save.error.message}</Alert>
        </div>
      ) : null}
      {saved ? (
        <div className="mt-2">
          <Alert tone="green" role="status">
            Saved.
          </Alert>
        </div>
      ) : null}
    </Card>
  );
}
