"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui/primitives";
import type { AccountJson, ConnectionTestJson } from "@/lib/services/accounts";
import { BrokerFields } from "@/components/accounts/broker-fields";
import { BROKER_FORMS } from "@/lib/brokers/forms";
import type { BrokerFieldSpec, CredentialFieldName } from "@/lib/brokers/form-spec";
import { BROKER_KIND_LIST, DEFAULT_BROKER_KIND, kindOfStored, STORED_KIND, type BrokerKind } from "@/lib/brokers/kinds";

interface Props {
  /** Editing this account; absent when adding. */
  account?: AccountJson;
  onDone: (account: AccountJson) => void;
  onCancel: () => void;
}

const formText = (f: FormData, k: string) => String(f.get(k) ?? "").trim();

/** The credential inputs' values; a blank secret is left out (editing: keep the stored one). */
function readCredentials(form: HTMLFormElement, fields: readonly BrokerFieldSpec[]) {
  const f = new FormData(form);
  const values: Partial<Record<CredentialFieldName, string>> = {};
  for (const c of fields) {
    const v = formText(f, c.name);
    if (v || !c.secret) values[c.name] = v;
  }
  return values;
}

function readForm(form: HTMLFormElement, fields: readonly BrokerFieldSpec[]) {
  const f = new FormData(form);
  const text = (k: string) => formText(f, k);
  const maxLots = text("maxLotsPerLeg");
  return {
    name: text("name"),
    ...readCredentials(form, fields),
    tags: text("tags")
      ? text("tags")
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean)
      : [],
    lotMultiplier: text("lotMultiplier") || "1",
    maxLotsPerLeg: maxLots ? Number(maxLots) : null,
    isPrimary: f.get("isPrimary") === "on",
    active: f.get("active") === "on",
  };
}

/** The API and WebSocket verdicts of a connection test, one line each. */
function TestResult({ result }: { result: ConnectionTestJson }) {
  const { api: rest, ws } = result;
  return (
    <Alert tone={result.ok ? "green" : "amber"} role="status">
      <p>{rest.ok ? `Connected: ${rest.broker} (${rest.mode} mode)` : `API: ${rest.message}`}</p>
      <p>{ws.ok ? "WebSocket: connected and authenticated" : `WebSocket: ${ws.message}`}</p>
    </Alert>
  );
}

/** Add or edit an account. "Test connection" checks the API and the WebSocket with the typed details; saving tests again first. */
export function AccountForm({ account, onDone, onCancel }: Props) {
  const [kind, setKind] = useState<BrokerKind>(account ? kindOfStored(account.kind) : DEFAULT_BROKER_KIND);
  const broker = BROKER_FORMS[kind];
  const secrets = broker.fields.filter((c) => c.secret).map((c) => c.name);
  const [error, setError] = useState<ApiError | null>(null);
  const [tested, setTested] = useState<ConnectionTestJson | null>(null);
  const fail = (e: unknown) => {
    setTested(null);
    setError(e instanceof ApiError ? e : new ApiError(0, "NETWORK", "Cannot reach the server."));
  };

  const test = useMutation({
    mutationFn: (form: HTMLFormElement) => {
      const v = readCredentials(form, broker.fields);
      const typedSecret = secrets.some((n) => v[n] !== undefined);
      return api<ConnectionTestJson>("/api/accounts/test", {
        body: { kind: STORED_KIND[kind], ...v, accountId: typedSecret ? undefined : account?.id },
      });
    },
    onSuccess: (r) => {
      setError(null);
      setTested(r);
    },
    onError: fail,
  });
  const save = useMutation({
    mutationFn: (form: HTMLFormElement) => {
      const body = readForm(form, broker.fields);
      return account
        ? api<{ account: AccountJson }>(`/api/accounts/${account.id}`, { method: "PATCH", body })
        : api<{ account: AccountJson }>("/api/accounts", { body: { kind: STORED_KIND[kind], ...body } });
    },
    onSuccess: (r) => onDone(r.account),
    onError: fail,
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    save.mutate(e.currentTarget);
  }
  const busy = test.isPending || save.isPending;
  const err = (k: string) => error?.fields?.[k];

  return (
    <Card title={account ? `Edit ${account.name}` : broker.linkTitle}>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate aria-label="Account form">
        <div className="sm:col-span-2 space-y-2">
          {error ? <Alert>{error.message}</Alert> : null}
          {tested ? <TestResult result={tested} /> : null}
        </div>
        {!account && BROKER_KIND_LIST.length > 1 ? (
          <Field label="Broker" htmlFor="acc-kind" error={err("kind")}>
            <Select id="acc-kind" value={kind} onChange={(e) => setKind(e.target.value as BrokerKind)}>
              {BROKER_KIND_LIST.map((k) => (
                <option key={k} value={k}>
                  {BROKER_FORMS[k].label}
                </option>
              ))}
            </Select>
          </Field>
        ) : null}
        <Field label="Name" htmlFor="acc-name" error={err("name")}>
          <Input id="acc-name" name="name" defaultValue={account?.name} required />
        </Field>
        <Field label="Tags / group (comma separated)" htmlFor="acc-tags" error={err("tags")}>
          <Input id="acc-tags" name="tags" defaultValue={account?.tags.join(", ")} placeholder="family, sellers" />
        </Field>
        <BrokerFields
          key={kind}
          fields={broker.fields}
          values={
            account
              ? { hostUrl: account.hostUrl, wsUrl: account.wsUrl, clientId: account.clientId ?? undefined }
              : undefined
          }
          secretLast4={account?.apiKeyLast4}
          errors={err}
        />
        <div className="grid grid-cols-2 gap-3">
          <Field label="Lot multiplier" htmlFor="acc-mult" error={err("lotMultiplier")}>
            <Input
              id="acc-mult"
              name="lotMultiplier"
              inputMode="decimal"
              defaultValue={account?.lotMultiplier ?? "1"}
            />
          </Field>
          <Field label="Max lots per leg" htmlFor="acc-max" error={err("maxLotsPerLeg")}>
            <Input
              id="acc-max"
              name="maxLotsPerLeg"
              inputMode="numeric"
              defaultValue={account?.maxLotsPerLeg ?? ""}
              placeholder="no cap"
            />
          </Field>
        </div>
        <div className="flex items-center gap-4 text-sm sm:col-span-2">
          <label className="flex items-center gap-1.5">
            <input type="checkbox" name="isPrimary" defaultChecked={account?.isPrimary} /> Primary (market-data source)
          </label>
          <label className="flex items-center gap-1.5">
            <input type="checkbox" name="active" defaultChecked={account?.active ?? true} /> Active
          </label>
        </div>
        <div className="flex gap-2 sm:col-span-2">
          <Button type="button" variant="secondary" disabled={busy} onClick={(e) => test.mutate(e.currentTarget.form!)}>
            {test.isPending ? "Testing…" : "Test connection"}
          </Button>
          <Button type="submit" disabled={busy}>
            {save.isPending ? "Testing and saving…" : account ? "Save changes" : "Test and link"}
          </Button>
          <Button type="button" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
