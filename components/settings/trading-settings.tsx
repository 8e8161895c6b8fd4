"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Alert, Card, PageHeader } from "@/components/ui/primitives";
import { GradesTable } from "@/components/settings/grades-table";
import { InstrumentsTable } from "@/components/settings/instruments-table";
import { MarginsTable } from "@/components/settings/margins-table";
import { TRADING_SETTINGS_KEY } from "@/components/settings/types";
import type { TradingSettingsJson } from "@/lib/services/settings";

/** Admin: contract settings, quality grades and per-lot margins that every run is planned with. */
export function TradingSettings() {
  const q = useQuery({
    queryKey: TRADING_SETTINGS_KEY,
    queryFn: () => api<TradingSettingsJson>("/api/settings/trading"),
  });
  return (
    <>
      <PageHeader
        title="Trading settings"
        description="What every preview and run is planned with. Changes apply to the next preview; runs already sent keep their plan."
      />
      {q.isError ? <Alert>Settings could not be loaded: {q.error.message}</Alert> : null}
      {q.data ? (
        <div className="space-y-4">
          <Card title="Instruments">
            <InstrumentsTable rows={q.data.instruments} />
          </Card>
          <Card title="Quality grades">
            <GradesTable rows={q.data.grades} />
          </Card>
          <Card title="Margin per lot (₹)">
            <MarginsTable rows={q.data.margins} />
          </Card>
        </div>
      ) : q.isPending ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : null}
    </>
  );
}
