"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, Field, Input } from "@/components/ui/primitives";
import type { AccountJson, ConnectionTestJson } from "@/lib/services/accounts";

interface Props {
  /** Editing this account; absent when adding. */
  account?: AccountJson;
  onDone: (account: AccountJson) => void;
  onCancel: () => void;
}

function readForm(form: HTMLFormElement) {
  const f = new FormData(form);
  const text = (k: string) => String(f.get(k) ?? "").trim();
  const maxLots = text("maxLotsPerLeg");
  return {
    name: text("name"),
    hostUrl: text("hostUrl"),
    wsUrl: text("wsUrl"),
    apiKey: text("apiKey") || undefined,
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
  const [error, setError] = useState<ApiError | null>(null);
  const [tested, setTested] = useState<ConnectionTestJson | null>(null);
  const fail = (e: unknown) => {
    setTested(null);
    setError(e instanceof ApiError ? e : new ApiError(0, "NETWORK", "Cannot reach the server."));
  };

  const test = useMutation({
    mutationFn: (form: HTMLFormElement) => {
      const v = readForm(form);
      return api<ConnectionTestJson>("/api/accounts/test", {
        body: { hostUrl: v.hostUrl, wsUrl: v.wsUrl, apiKey: v.apiKey, accountId: v.apiKey ? undefined : account?.id },
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
      const body = readForm(form);
      return account
        ? api<{ account: AccountJson }>(`/api/accounts/${account.id}`, { method: "PATCH", body })
        : api<{ account: AccountJson }>("/api/accounts", { body });
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
    <Card title={account ? `Edit ${account.name}` : "Link an OpenAlgo account"}>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate aria-label="Account form">
        <div className="sm:col-span-2 space-y-2">
          {error ? <Alert>{error.message}</Alert> : null}
          {tested ? <TestResult result={tested} /> : null}
        </div>
        <Field label="Name" htmlFor="acc-name" error={err("name")}>
          <Input id="acc-name" name="name" defaultValue={account?.name} required />
        </Field>
        <Field label="Tags / group (comma separated)" htmlFor="acc-tags" error={err("tags")}>
          <Input id="acc-tags" name="tags" defaultValue={account?.tags.join(", ")} placeholder="family, sellers" />
        </Field>
        <Field label="Host URL" htmlFor="acc-host" error={err("hostUrl")}>
          <Input
            id="acc-host"
            name="hostUrl"
            defaultValue={account?.hostUrl}
            placeholder="http://127.0.0.1:5000"
            required
          />
        </Field>
        <Field label="WebSocket URL" htmlFor="acc-ws" error={err("wsUrl")}>
          <Input id="acc-ws" name="wsUrl" defaultValue={account?.wsUrl} placeholder="ws://127.0.0.1:8765" required />
        </Field>
        <Field
          label={account ? `API key (•••• ${account.apiKeyLast4}; blank keeps it unless a URL changes)` : "API key"}
          htmlFor="acc-key"
          error={err("apiKey")}
        >
          <Input id="acc-key" name="apiKey" type="password" autoComplete="off" required={!account} />
        </Field>
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
