"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, Field, Input, PageHeader, Select } from "@/components/ui/primitives";
import { AccountPicker } from "@/components/strategies/account-picker";
import { LegEditor } from "@/components/strategies/leg-editor";
import { StrategyRunsPanel } from "@/components/strategies/strategy-runs-panel";
import { PnlCard } from "@/components/pnl/pnl-card";
import { WebhookPanel } from "@/components/webhooks/webhook-panel";
import { StrategyRiskSection, useStrategyRisk } from "@/components/strategies/strategy-risk";
import {
  checkDefinition,
  draftsOf,
  errorsAt,
  legFromDraft,
  newLeg,
  normaliseApiFields,
  type FieldErrors,
  type LegDraft,
  type StrategyJson,
} from "@/components/strategies/drafts";
import { TRADING_SETTINGS_KEY } from "@/components/settings/types";
import type { TradingSettingsJson } from "@/lib/services/settings";
import { DEFAULT_INSTRUMENT_SETTINGS } from "@/lib/trading/instruments";
import { useAccounts } from "@/components/accounts/use-account-funds";

interface Header {
  name: string;
  product: "NRML" | "MIS";
  sizing: "fixed" | string; // "fixed" or a grade id
  marketCondition: "expiry_day" | "other_days" | "auto";
  accountIds: string[];
  accountTags: string[];
}

function headerOf(s: StrategyJson | null): Header {
  if (!s)
    return { name: "", product: "NRML", sizing: "fixed", marketCondition: "auto", accountIds: [], accountTags: [] };
  const d = s.definition;
  return {
    name: s.name,
    product: d.product,
    sizing: d.sizing.kind === "fixed" ? "fixed" : d.sizing.gradeId,
    marketCondition: d.marketCondition,
    accountIds: s.accountIds,
    accountTags: s.accountTags,
  };
}

/**
 * Create or edit a strategy: header (name, product, sizing, market condition, accounts or groups) and legs.
 * On a saved strategy it also previews and executes, adds adjustment legs, and lists the strategy's runs.
 */
export function StrategyBuilder({ strategy: initial, canWrite }: { strategy: StrategyJson | null; canWrite: boolean }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [strategy, setStrategy] = useState<StrategyJson | null>(initial);
  const [header, setHeader] = useState<Header>(() => headerOf(strategy));
  const [legs, setLegs] = useState<LegDraft[]>(() => (strategy ? draftsOf(strategy.definition) : [newLeg()]));
  const risk = useStrategyRisk(strategy);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const accounts = useAccounts();
  const settings = useQuery({
    queryKey: TRADING_SETTINGS_KEY,
    queryFn: () => api<TradingSettingsJson>("/api/settings/trading"),
  });

  const underlyings = settings.data?.instruments.map((i) => i.underlying) ?? Object.keys(DEFAULT_INSTRUMENT_SETTINGS);
  const grades = settings.data?.grades ?? [];
  const readOnly = !canWrite;
  const riskErrors = risk.errorsOf(errors);
  const edit = (patch: Partial<Header>) => {
    setHeader((h) => ({ ...h, ...patch }));
    setDirty(true);
  };
  const editLegs = (next: LegDraft[]) => {
    setLegs(next);
    setDirty(true);
  };

  async function save() {
    const definition = {
      // Fields the form does not edit (the square-off time) are kept as stored.
      ...strategy?.definition,
      product: header.product,
      sizing: header.sizing === "fixed" ? { kind: "fixed" } : { kind: "grade", gradeId: header.sizing },
      marketCondition: header.marketCondition,
      legs: legs.map(legFromDraft),
      ...risk.definitionPart(legs),
    };
    const local = checkDefinition(definition);
    if (!header.name.trim()) local.name = ["Enter a name"];
    if (header.accountIds.length === 0 && header.accountTags.length === 0)
      local.accountIds = ["Choose at least one account or group"];
    setErrors(local);
    if (Object.keys(local).length) {
      setMessage({ tone: "red", text: "Fix the highlighted fields." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const body = {
        name: header.name.trim(),
        definition,
        accountIds: header.accountIds,
        accountTags: header.accountTags,
      };
      const res = strategy
        ? await api<{ strategy: StrategyJson }>(`/api/strategies/${strategy.id}`, { method: "PATCH", body })
        : await api<{ strategy: StrategyJson }>("/api/strategies", { method: "POST", body });
      void qc.invalidateQueries({ queryKey: ["strategies"] });
      setDirty(false);
      if (strategy) {
        setStrategy(res.strategy);
        setMessage({ tone: "green", text: "Saved." });
      } else {
        router.push(`/strategies/${res.strategy.id}`);
      }
    } catch (e) {
      setErrors(e instanceof ApiError ? normaliseApiFields(e.fields) : {});
      setMessage({
        tone: "red",
        text: e instanceof ApiError ? e.message : "Cannot reach the server. Check your connection.",
      });
    } finally {
      setBusy(false);
    }
  }

  async function archive() {
    if (!strategy || !confirm(`Archive ${strategy.name}? Its runs stay in Executions.`)) return;
    try {
      await api(`/api/strategies/${strategy.id}`, { method: "DELETE" });
      void qc.invalidateQueries({ queryKey: ["strategies"] });
      router.push("/strategies");
    } catch (e) {
      setMessage({ tone: "red", text: e instanceof ApiError ? e.message : "Cannot reach the server." });
    }
  }

  return (
    <>
      <PageHeader
        title={strategy ? strategy.name : "New strategy"}
        description="Sized per account from fixed lots or a quality grade; BUY legs always go first (hedge first)."
        actions={
          <>
            <Link href="/strategies" className="text-sm text-slate-500 hover:underline">
              All strategies
            </Link>
            {canWrite && strategy ? (
              <Button variant="ghost" onClick={archive}>
                Archive
              </Button>
            ) : null}
          </>
        }
      />
      <div className="space-y-4">
        <Card
          title="Strategy"
          actions={
            canWrite ? (
              <>
                {dirty ? <span className="text-xs text-amber-600">unsaved changes</span> : null}
                <Button onClick={save} disabled={busy}>
                  {busy ? "Saving…" : strategy ? "Save" : "Create strategy"}
                </Button>
              </>
            ) : (
              <span className="text-xs text-slate-500">read-only</span>
            )
          }
        >
          <form
            aria-label="Strategy form"
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {message ? (
              <Alert tone={message.tone} role={message.tone === "green" ? "status" : "alert"}>
                {message.text}
              </Alert>
            ) : null}
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
              <Field label="Name" htmlFor="s-name" error={errors.name}>
                <Input
                  id="s-name"
                  value={header.name}
                  disabled={readOnly}
                  onChange={(e) => edit({ name: e.target.value })}
                  placeholder="NIFTY iron condor"
                />
              </Field>
              <Field label="Product" htmlFor="s-product" error={errors.product}>
                <Select
                  id="s-product"
                  className="w-full"
                  value={header.product}
                  disabled={readOnly}
                  onChange={(e) => edit({ product: e.target.value as Header["product"] })}
                >
                  <option value="NRML">NRML (carry forward)</option>
                  <option value="MIS">MIS (intraday)</option>
                </Select>
              </Field>
              <Field label="Sizing" htmlFor="s-sizing" error={errorsAt(errors, "sizing")}>
                <Select
                  id="s-sizing"
                  className="w-full"
                  value={header.sizing}
                  disabled={readOnly}
                  onChange={(e) => edit({ sizing: e.target.value })}
                >
                  <option value="fixed">Fixed lots × account multiplier</option>
                  {grades.map((g) => (
                    <option key={g.id} value={g.id}>
                      Grade {g.label} · {g.percent}% of {g.source === "cash" ? "cash" : "available margin"}
                    </option>
                  ))}
                  {header.sizing !== "fixed" && !grades.some((g) => g.id === header.sizing) ? (
                    <option value={header.sizing}>Grade {header.sizing}</option>
                  ) : null}
                </Select>
              </Field>
              <Field label="Market condition" htmlFor="s-condition" error={errors.marketCondition}>
                <Select
                  id="s-condition"
                  className="w-full"
                  value={header.marketCondition}
                  disabled={readOnly}
                  onChange={(e) => edit({ marketCondition: e.target.value as Header["marketCondition"] })}
                >
                  <option value="auto">Auto (from the expiry list)</option>
                  <option value="expiry_day">Expiry day</option>
                  <option value="other_days">Other days</option>
                </Select>
              </Field>
            </div>
            <AccountPicker
              accounts={accounts.data?.accounts ?? []}
              ids={header.accountIds}
              tags={header.accountTags}
              readOnly={readOnly}
              error={[...(errorsAt(errors, "accountIds") ?? []), ...(errorsAt(errors, "accountTags") ?? [])]}
              onChange={({ ids, tags }) => edit({ accountIds: ids, accountTags: tags })}
            />
            <div>
              <h3 className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-400">Legs</h3>
              <LegEditor
                legs={legs}
                onChange={editLegs}
                errors={errors}
                underlyings={underlyings}
                readOnly={readOnly}
                riskErrors={riskErrors}
              />
              {errors.legs ? <p className="mt-1 text-xs text-rose-600">{errors.legs.join(" ")}</p> : null}
            </div>
            <StrategyRiskSection
              saved={strategy}
              risk={risk}
              errors={riskErrors}
              readOnly={readOnly}
              onEdit={() => setDirty(true)}
            />
          </form>
        </Card>
        {strategy ? (
          <StrategyRunsPanel
            strategy={strategy}
            canWrite={canWrite}
            dirty={dirty}
            underlyings={underlyings}
            onLegsAdded={(s) => {
              // The builder shows the adjusted strategy: a later Save must not drop the added legs.
              setStrategy(s);
              setLegs(draftsOf(s.definition));
              risk.reset(s);
            }}
          />
        ) : null}
        {strategy ? (
          <PnlCard url={`/api/strategies/${strategy.id}/mtm`} title="Today's P&L" testId="strategy-pnl" />
        ) : null}
        {strategy ? <WebhookPanel strategyId={strategy.id} canWrite={canWrite} /> : null}
      </div>
    </>
  );
}
