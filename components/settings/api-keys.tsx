"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, Field, Input, Select, Table } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";
import type { ApiKeyStatus, ApiKeyView } from "@/lib/services/api-keys";
import type { Jsonified } from "@/lib/util/jsonify";

type ApiKey = Jsonified<ApiKeyView>;
type Created = { key: string; apiKey: ApiKey };

const STATUS_TONE: Record<ApiKeyStatus, "green" | "amber" | "red"> = {
  active: "green",
  expired: "amber",
  revoked: "red",
};
const EXPIRY_CHOICES = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "180", label: "180 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
];
const asApiError = (e: unknown) =>
  e instanceof ApiError ? e : new ApiError(0, "NETWORK", "Cannot reach the server. Try again.");

/** Personal API keys: create one (shown once), see them all, revoke. `appUrl` is where scripts reach MirrorDesk. */
export function ApiKeysSection({ canTrade, appUrl }: { canTrade: boolean; appUrl: string }) {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => api<{ apiKeys: ApiKey[] }>("/api/me/api-keys") });
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/me/api-keys/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      setError(null);
      return qc.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (e) => setError(asApiError(e)),
  });

  return (
    <Card title="API keys">
      <div className="space-y-4">
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Scripts and tools use a key to call MirrorDesk&apos;s API as you. A key can do what your role can, and a READ
          key only reads. Revoke a key the moment you no longer trust where it is stored.
        </p>
        {created ? (
          <NewKey created={created} appUrl={appUrl} onDone={() => setCreated(null)} />
        ) : (
          <CreateKeyForm
            canTrade={canTrade}
            onCreated={(c) => {
              setCreated(c);
              return qc.invalidateQueries({ queryKey: ["api-keys"] });
            }}
          />
        )}
        {error ? <Alert>{error.message}</Alert> : null}
        {keys.error ? <Alert>{(keys.error as Error).message}</Alert> : null}
        <KeyTable
          keys={keys.data?.apiKeys}
          busyId={revoke.isPending ? revoke.variables : undefined}
          onRevoke={(k) => {
            if (window.confirm(`Revoke “${k.name}”? Anything using it stops working at once.`)) revoke.mutate(k.id);
          }}
        />
      </div>
    </Card>
  );
}

function CreateKeyForm({ canTrade, onCreated }: { canTrade: boolean; onCreated: (c: Created) => unknown }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [scope, setScope] = useState<"READ" | "TRADE">("READ");
  const create = useMutation({
    mutationFn: (body: unknown) => api<Created>("/api/me/api-keys", { body }),
    onSuccess: (c) => {
      setError(null);
      return onCreated(c);
    },
    onError: (e) => setError(asApiError(e)),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const expiry = String(f.get("expiresInDays"));
    create.mutate({ name: f.get("name"), scope, expiresInDays: expiry === "never" ? null : Number(expiry) });
  }

  return (
    <form onSubmit={submit} className="space-y-3" noValidate aria-label="Create an API key">
      {error && !error.fields ? <Alert>{error.message}</Alert> : null}
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_9rem_8rem_auto] sm:items-start">
        <Field label="Name" htmlFor="api-key-name" error={error?.fields?.name}>
          <Input id="api-key-name" name="name" maxLength={60} placeholder="e.g. Google Sheet P&L" required />
        </Field>
        <Field label="Scope" htmlFor="api-key-scope" error={error?.fields?.scope}>
          <Select
            id="api-key-scope"
            name="scope"
            className="w-full"
            value={scope}
            onChange={(e) => setScope(e.target.value as "READ" | "TRADE")}
          >
            <option value="READ">Read</option>
            <option value="TRADE" disabled={!canTrade}>
              Trade
            </option>
          </Select>
        </Field>
        <Field label="Expires after" htmlFor="api-key-expiry" error={error?.fields?.expiresInDays}>
          <Select id="api-key-expiry" name="expiresInDays" className="w-full" defaultValue="90">
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" disabled={create.isPending} className="sm:mt-5">
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="api-key-scope-help">
        {scope === "READ"
          ? "Read: accounts, positions, orders, strategies and runs; it can change nothing."
          : "Trade: everything your role can do, orders and exits included. Keep it as safe as your password."}
        {canTrade ? null : " Your role is read-only, so your keys are Read keys."}
      </p>
    </form>
  );
}

/** The key itself, shown this once, with a copy button and a first request to try. */
function NewKey({ created, appUrl, onDone }: { created: Created; appUrl: string; onDone: () => void }) {
  const curl = `curl -H "Authorization: Bearer ${created.key}" ${appUrl.replace(/\/$/, "")}/api/v1/accounts`;
  return (
    <div
      className="space-y-2 rounded-md bg-emerald-50 p-3 ring-1 ring-emerald-600/20 ring-inset dark:bg-emerald-500/10"
      data-testid="new-api-key"
    >
      <p className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        Key “{created.apiKey.name}” created ({created.apiKey.scope}). Copy it now: it is shown only this once.
      </p>
      <CopyLine label="API key" value={created.key} />
      <p className="text-xs text-slate-600 dark:text-slate-400">Try it:</p>
      <CopyLine label="curl example" value={curl} />
      <Button variant="secondary" onClick={onDone}>
        I have stored it
      </Button>
    </div>
  );
}

function CopyLine({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      // No clipboard (insecure origin or denied): the text is selectable in the box.
      setCopied("no");
    }
  }
  return (
    <div className="flex items-stretch gap-2">
      <code
        aria-label={label}
        className="min-w-0 flex-1 overflow-x-auto rounded bg-white px-2 py-1.5 font-mono text-xs break-all whitespace-pre-wrap select-all ring-1 ring-slate-300 dark:bg-slate-900 dark:ring-slate-700"
      >
        {value}
      </code>
      <Button variant="secondary" onClick={copy} aria-label={`Copy ${label}`} className="shrink-0">
        {copied === "yes" ? "Copied" : copied === "no" ? "Select it" : "Copy"}
      </Button>
    </div>
  );
}

/**
 * The keys. Columns give way as the card narrows (beside the password form at xl the card is narrower than at md, so
 * "Created" waits for 2xl); the Revoke button always stays in view.
 */
function KeyTable({
  keys,
  busyId,
  onRevoke,
}: {
  keys: ApiKey[] | undefined;
  busyId: string | undefined;
  onRevoke: (k: ApiKey) => void;
}) {
  if (!keys) return <p className="text-sm text-slate-500">Loading keys…</p>;
  if (keys.length === 0) return <p className="text-sm text-slate-500">No API keys yet.</p>;
  return (
    <Table
      head={
        <tr>
          <th className="py-1.5 pr-3">Name</th>
          <th className="pr-3">Scope</th>
          <th className="pr-3">Status</th>
          <th className="hidden pr-3 sm:table-cell">Key</th>
          <th className="hidden pr-3 md:table-cell xl:hidden 2xl:table-cell">Created</th>
          <th className="hidden pr-3 sm:table-cell">Expires</th>
          <th className="hidden pr-3 md:table-cell">Last used</th>
          <th />
        </tr>
      }
    >
      {keys.map((k) => (
        <tr key={k.id} data-testid={`api-key-row-${k.name}`}>
          <td className="py-1.5 pr-3">
            <div className="max-w-[10rem] truncate" title={k.name}>
              {k.name}
            </div>
            {/* On a phone the expiry column is folded under the name. */}
            <div className="text-xs text-slate-500 sm:hidden">
              expires {k.expiresAt ? formatDateTime(k.expiresAt) : "never"}
            </div>
          </td>
          <td className="pr-3">
            <Badge tone={k.scope === "TRADE" ? "blue" : "slate"}>{k.scope}</Badge>
          </td>
          <td className="pr-3">
            <Badge tone={STATUS_TONE[k.status]}>{k.status}</Badge>
          </td>
          <td className="hidden pr-3 font-mono text-xs sm:table-cell">{k.hint}…</td>
          <td className="hidden pr-3 text-xs whitespace-nowrap text-slate-500 md:table-cell xl:hidden 2xl:table-cell">
            {formatDateTime(k.createdAt)}
          </td>
          <td className="hidden pr-3 text-xs whitespace-nowrap text-slate-500 sm:table-cell">
            {k.expiresAt ? formatDateTime(k.expiresAt) : "never"}
          </td>
          <td className="hidden pr-3 text-xs whitespace-nowrap text-slate-500 md:table-cell">
            {k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "never"}
          </td>
          <td className="text-right">
            {k.status === "revoked" ? null : (
              <Button variant="ghost" disabled={busyId === k.id} onClick={() => onRevoke(k)}>
                Revoke
              </Button>
            )}
          </td>
        </tr>
      ))}
    </Table>
  );
}
