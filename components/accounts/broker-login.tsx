"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button } from "@/components/ui/primitives";
import { BROKER_FORMS } from "@/lib/brokers/forms";
import { kindOfStored } from "@/lib/brokers/kinds";
import { formatDateTime } from "@/lib/format";
import type { AccountJson } from "@/lib/services/accounts";

/** Whether the account's kind logs in at the broker each day (a direct broker). */
export const logsInDaily = (account: Pick<AccountJson, "kind">) => BROKER_FORMS[kindOfStored(account.kind)].dailyLogin;

/**
 * A direct account's broker session: until when it holds (IST), or that a login is needed, and the "Log in" button
 * that sends the browser to the broker's login page (docs/direct-brokers.md "Login"). Re-renders every 30 s so an
 * expiry shows without a reload.
 */
export function BrokerSession({
  account,
  canWrite,
}: {
  account: Pick<AccountJson, "id" | "kind" | "name" | "sessionExpiresAt" | "sessionRenewalError">;
  canWrite: boolean;
}) {
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const start = useMutation({
    mutationFn: () => api<{ url: string }>(`/api/accounts/${account.id}/login`, { body: {} }),
    onSuccess: ({ url }) => window.location.assign(url),
    onError: (e) => setError(e instanceof ApiError ? e.message : "Cannot reach the server."),
  });
  const until = account.sessionExpiresAt ? Date.parse(account.sessionExpiresAt) : null;
  const live = until !== null && until > now;
  const label = BROKER_FORMS[kindOfStored(account.kind)].label;
  return (
    <div className="flex flex-wrap items-center gap-1.5 text-xs" data-testid={`broker-session-${account.name}`}>
      {live ? (
        <span className="whitespace-nowrap" title={`The ${label} session ends ${formatDateTime(until)}`}>
          <Badge tone="green">logged in</Badge>
          <span className="ml-1 text-slate-500">until {formatDateTime(until).split(", ")[1]}</span>
        </span>
      ) : (
        <span className="whitespace-nowrap">
          <Badge tone="red">{until === null ? "login needed" : "session expired"}</Badge>
        </span>
      )}
      {canWrite ? (
        <Button
          variant={live ? "ghost" : "secondary"}
          // One line even in a phone-width table: the table scrolls sideways instead of the label breaking per word.
          className="whitespace-nowrap"
          disabled={start.isPending}
          onClick={() => start.mutate()}
        >
          {start.isPending ? "Opening…" : live ? "Log in again" : `Log in to ${label}`}
        </Button>
      ) : null}
      {!live && account.sessionRenewalError ? (
        <span className="text-rose-600" title={account.sessionRenewalError}>
          Automatic renewal failed: {account.sessionRenewalError}
        </span>
      ) : null}
      {error ? <span className="text-rose-600">{error}</span> : null}
    </div>
  );
}

/**
 * The outcome of a broker login, read once from the address the callback redirected to (`?loggedIn=<id>` or
 * `?loginError=<text>`), then removed from the address bar.
 */
export function BrokerLoginOutcome({ accounts }: { accounts: readonly Pick<AccountJson, "id" | "name">[] }) {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    const q = new URLSearchParams(window.location.search);
    const ok = q.get("loggedIn");
    const failed = q.get("loginError");
    if (ok === null && failed === null) return;
    setOutcome(ok !== null ? { ok: true, text: ok } : { ok: false, text: failed ?? "" });
    window.history.replaceState(null, "", window.location.pathname);
  }, []);
  if (!outcome) return null;
  if (!outcome.ok) return <Alert>Broker login failed: {outcome.text}</Alert>;
  const name = accounts.find((a) => a.id === outcome.text)?.name ?? "The account";
  return (
    <Alert tone="green" role="status">
      {name} is logged in at its broker.
    </Alert>
  );
}
