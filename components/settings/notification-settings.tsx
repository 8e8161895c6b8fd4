"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, Field, Input } from "@/components/ui/primitives";
import type { NotificationSettingsView, TestOutcome } from "@/lib/services/notifications";
import type { NotificationChannelName, NotificationKindName, Preferences } from "@/lib/services/notifications";
import { CHANNEL_LABELS, KIND_LABELS } from "./notification-labels";
import { RecentNotifications } from "./recent-notifications";

const SETTINGS_KEY = ["notification-settings"] as const;

const asApiError = (e: unknown) =>
  e instanceof ApiError ? e : new ApiError(0, "NETWORK", "Cannot reach the server. Try again.");

function useSave() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) =>
      api<NotificationSettingsView>("/api/notifications/settings", { method: "PUT", body }),
    onSuccess: (view) => qc.setQueryData(SETTINGS_KEY, view),
  });
}

/** Settings → Notifications: the channels with "send test", the kind × channel grid, the latest messages. */
export function NotificationSettings() {
  const settings = useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => api<NotificationSettingsView>("/api/notifications/settings"),
  });
  if (settings.error) return <Alert>{(settings.error as Error).message}</Alert>;
  if (!settings.data) return <p className="text-sm text-slate-500">Loading…</p>;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] items-start gap-4 xl:grid-cols-[28rem_minmax(0,1fr)]">
      <div className="space-y-4">
        <TelegramCard view={settings.data} />
        <EmailCard view={settings.data} />
      </div>
      <div className="space-y-4">
        <ChoicesCard view={settings.data} />
        <RecentNotifications />
      </div>
    </div>
  );
}

function TestButton({ channel, disabled }: { channel: "TELEGRAM" | "EMAIL"; disabled: boolean }) {
  const test = useMutation({
    mutationFn: () => api<TestOutcome>("/api/notifications/test", { body: { channel } }),
  });
  const error = test.error ? asApiError(test.error) : null;
  return (
    <div className="space-y-2">
      <Button type="button" variant="secondary" disabled={disabled || test.isPending} onClick={() => test.mutate()}>
        {test.isPending ? "Sending…" : "Send test"}
      </Button>
      {test.data ? (
        <Alert tone={test.data.delivered ? "green" : "red"} role="status">
          {test.data.delivered ? "Test message delivered." : `Not delivered: ${test.data.error}`}
        </Alert>
      ) : null}
      {error ? <Alert>{error.message}</Alert> : null}
    </div>
  );
}

function TelegramCard({ view }: { view: NotificationSettingsView }) {
  const save = useSave();
  const [chatId, setChatId] = useState(view.telegram.chatId ?? "");
  const [token, setToken] = useState("");
  const error = save.error ? asApiError(save.error) : null;
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate({ telegramChatId: chatId, telegramBotToken: token }, { onSuccess: () => setToken("") });
  }
  return (
    <Card
      title="Telegram"
      actions={<Badge tone={view.telegram.ready ? "green" : "slate"}>{view.telegram.ready ? "set up" : "off"}</Badge>}
    >
      <form onSubmit={submit} className="space-y-3">
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Create a bot with @BotFather and paste its token; send your bot a message, then use your chat id (a number;
          @userinfobot tells it). The token is stored encrypted and only ever sent to Telegram.
        </p>
        <Field label="Chat id" htmlFor="tg-chat" error={error?.fields?.telegramChatId}>
          <Input id="tg-chat" value={chatId} onChange={(e) => setChatId(e.target.value)} placeholder="123456789" />
        </Field>
        <Field label="Bot token" htmlFor="tg-token" error={error?.fields?.telegramBotToken}>
          <Input
            id="tg-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder={view.telegram.tokenLast4 ? `stored, ends in ${view.telegram.tokenLast4} (blank keeps it)` : ""}
          />
        </Field>
        {error && !error.fields?.telegramChatId && !error.fields?.telegramBotToken ? (
          <Alert>{error.message}</Alert>
        ) : null}
        <div className="flex flex-wrap items-start gap-2">
          <Button type="submit" disabled={save.isPending}>
            Save Telegram
          </Button>
          <TestButton channel="TELEGRAM" disabled={!view.telegram.ready} />
        </div>
      </form>
    </Card>
  );
}

function EmailCard({ view }: { view: NotificationSettingsView }) {
  const save = useSave();
  const [email, setEmail] = useState(view.email.address ?? "");
  const error = save.error ? asApiError(save.error) : null;
  return (
    <Card
      title="E-mail"
      actions={<Badge tone={view.email.ready ? "green" : "slate"}>{view.email.ready ? "set up" : "off"}</Badge>}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ email });
        }}
        className="space-y-3"
      >
        {view.email.serverConfigured ? null : (
          <Alert tone="amber" role="status">
            This server has no SMTP server (SMTP_URL), so it cannot send e-mail: ask the admin.
          </Alert>
        )}
        <Field label="Address" htmlFor="email-address" error={error?.fields?.email}>
          <Input id="email-address" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        {error && !error.fields?.email ? <Alert>{error.message}</Alert> : null}
        <div className="flex flex-wrap items-start gap-2">
          <Button type="submit" disabled={save.isPending}>
            Save e-mail
          </Button>
          <TestButton channel="EMAIL" disabled={!view.email.ready} />
        </div>
      </form>
    </Card>
  );
}

function ChoicesCard({ view }: { view: NotificationSettingsView }) {
  const save = useSave();
  const [prefs, setPrefs] = useState<Preferences>(view.preferences);
  const error = save.error ? asApiError(save.error) : null;
  const ready: Record<NotificationChannelName, boolean> = {
    IN_APP: true,
    TELEGRAM: view.telegram.ready,
    EMAIL: view.email.ready,
  };
  const kinds = view.kinds as NotificationKindName[];
  const channels = view.channels as NotificationChannelName[];
  const toggle = (k: NotificationKindName, c: NotificationChannelName) =>
    setPrefs((p) => ({ ...p, [k]: p[k].includes(c) ? p[k].filter((x) => x !== c) : [...p[k], c] }));
  const changed = JSON.stringify(prefs) !== JSON.stringify(view.preferences);
  return (
    <Card title="What you are told, and where">
      <div className="overflow-x-auto">
        <table className="min-w-full text-left text-sm" aria-label="Channels per event kind">
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-800">
            <tr>
              <th className="py-1.5 pr-3">Event</th>
              {channels.map((c) => (
                <th key={c} className="px-2 py-1.5 text-center">
                  {CHANNEL_LABELS[c]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {kinds.map((k) => (
              <tr key={k}>
                <td className="py-1.5 pr-3">{KIND_LABELS[k]}</td>
                {channels.map((c) => (
                  <td key={c} className="px-2 py-1.5 text-center">
                    <input
                      type="checkbox"
                      aria-label={`${KIND_LABELS[k]} by ${CHANNEL_LABELS[c]}`}
                      checked={prefs[k].includes(c)}
                      disabled={!ready[c] && !prefs[k].includes(c)}
                      onChange={() => toggle(k, c)}
                      className="h-4 w-4 accent-indigo-600"
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="mt-2 text-xs text-slate-500">
        Telegram and e-mail can be ticked once they are set up. A burst (a 50-account fill) arrives as one message.
      </p>
      {error ? <Alert>{Object.values(error.fields ?? {})[0]?.[0] ?? error.message}</Alert> : null}
      <div className="mt-3 flex gap-2">
        <Button type="button" disabled={!changed || save.isPending} onClick={() => save.mutate({ preferences: prefs })}>
          Save choices
        </Button>
        {changed ? (
          <Button type="button" variant="ghost" onClick={() => setPrefs(view.preferences)}>
            Undo
          </Button>
        ) : null}
      </div>
    </Card>
  );
}
