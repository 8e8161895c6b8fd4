"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, Field, Input } from "@/components/ui/primitives";
import { formatDateTime, formatInr } from "@/lib/format";
import type { AccountRiskJson } from "@/lib/services/risk";
import { RISK_KEY } from "@/components/risk/use-risk";

/**
 * An account's daily loss limit (docs/risk.md): when its P&L for the IST day reaches −limit, the risk engine exits
 * the account and blocks its new entries for the rest of the day, which this card then says. Saved on its own
 * (`PUT /api/accounts/:id/risk`), so changing it never needs a broker connection test.
 */
export function DailyLossLimit({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  // Under the risk key: a risk event of the user stream (a limit hit, a limit changed) reads it again.
  const key = [...RISK_KEY, "account", accountId];
  const { data, error: readError } = useQuery({
    queryKey: key,
    queryFn: () => api<AccountRiskJson>(`/api/accounts/${accountId}/risk`),
    // The backstop for an event lost while the stream reconnected.
    refetchInterval: 10_000,
  });
  const [value, setValue] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (dailyLossLimit: string | null) =>
      api<AccountRiskJson>(`/api/accounts/${accountId}/risk`, { method: "PUT", body: { dailyLossLimit } }),
    onSuccess: (r) => {
      setSaved(true);
      setValue(null);
      qc.setQueryData(key, r);
      void qc.invalidateQueries({ queryKey: ["accounts"] });
    },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const fieldError = error?.fields?.dailyLossLimit;
  // What is typed, else what is saved.
  const shown = value ?? data?.dailyLossLimit ?? "";
  const current = !data ? "…" : data.dailyLossLimit ? formatInr(data.dailyLossLimit) : "no limit";
  const block = data?.blockedToday;

  return (
    <Card title="Daily loss limit" actions={block ? <Badge tone="red">entries blocked today</Badge> : null}>
      {block ? (
        <div className="mb-2" data-testid="day-block">
          <Alert>
            Limit hit at {formatDateTime(block.at)} with the day&apos;s P&L at {formatInr(block.observed)}: the account
            was exited and new entries are refused until the next trading day. {block.reason}
          </Alert>
        </div>
      ) : null}
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
            save.mutate(shown.trim() || null);
          }}
        >
          <div className="w-44">
            <Field label="Daily loss limit ₹" htmlFor="acc-daily-loss" error={fieldError}>
              <Input
                id="acc-daily-loss"
                inputMode="decimal"
                placeholder="blank = none"
                aria-invalid={!!fieldError}
                value={shown}
                onChange={(e) => {
                  setValue(e.target.value);
                  setSaved(false);
                }}
              />
            </Field>
          </div>
          <Button type="submit" disabled={save.isPending || !data}>
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
      {readError ? (
        <div className="mt-2">
          <Alert>{readError.message}</Alert>
        </div>
      ) : null}
      {save.error && !fieldError ? (
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
