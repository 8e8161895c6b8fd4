"use client";

import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, Field, Input, Table } from "@/components/ui/primitives";
import type { CalendarView } from "@/lib/services/calendar";
import type { Jsonified } from "@/lib/util/jsonify";

type View = Jsonified<CalendarView>;
type Cell = View["days"][number]["sessions"][string];
type Override = View["overrides"][number];

/** A row's "Override" click: the day, the exchange shown and what the day is now. */
export interface OverrideDraft {
  date: string;
  exchanges: string[];
  cell: Cell;
}

const hhmm = (iso: string | null, fallback: string) =>
  iso ? new Date(new Date(iso).getTime() + 19_800_000).toISOString().slice(11, 16) : fallback;

/**
 * Sets a day's session on one or more exchanges (one PUT each: a Muhurat session usually covers NSE, BSE, NFO and
 * BFO), and lists the overrides of the month shown with a way to remove each.
 */
export function CalendarOverrideForm({
  exchanges,
  overrides,
  draft,
  onSaved,
  onRemove,
}: {
  exchanges: readonly string[];
  overrides: Override[];
  draft: OverrideDraft | null;
  onSaved: () => unknown;
  onRemove: (o: { date: string; exchange: string }) => void;
}) {
  const [date, setDate] = useState("");
  const [chosen, setChosen] = useState<string[]>(["NSE", "BSE", "NFO", "BFO"]);
  const [closed, setClosed] = useState(false);
  const [opensAt, setOpensAt] = useState("18:00");
  const [closesAt, setClosesAt] = useState("19:15");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  // A row's "Override" fills the form with that day as it is now.
  useEffect(() => {
    if (!draft) return;
    setDate(draft.date);
    setChosen(draft.exchanges);
    setClosed(!draft.cell.closed);
    setOpensAt(hhmm(draft.cell.opensAt, "09:15"));
    setClosesAt(hhmm(draft.cell.closesAt, "15:30"));
    setDescription(draft.cell.description ?? "");
    setError(null);
  }, [draft]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (chosen.length === 0) throw new ApiError(400, "VALIDATION", "Choose at least one exchange");
      const times = closed ? {} : { opensAt, closesAt };
      for (const exchange of chosen)
        await api("/api/calendar/overrides", {
          method: "PUT",
          body: { date, exchange, closed, description, ...times },
        });
      await onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "NETWORK", "Cannot reach the server."));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) => error?.fields?.[name];
  return (
    <div className="space-y-4">
      <Card title="Override a day">
        <form onSubmit={submit} className="space-y-3" aria-label="Override a day">
          {error ? <Alert>{error.message}</Alert> : null}
          <Field label="Date (IST)" htmlFor="ov-date" error={fieldError("date")}>
            <Input id="ov-date" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
          </Field>
          <fieldset>
            <legend className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-400">Exchanges</legend>
            <div className="flex flex-wrap gap-x-3 gap-y-1">
              {exchanges.map((x) => (
                <label key={x} className="flex items-center gap-1 text-sm">
                  <input
                    type="checkbox"
                    checked={chosen.includes(x)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, x] : chosen.filter((c) => c !== x))}
                  />
                  {x}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="flex gap-4 text-sm">
            <label className="flex items-center gap-1">
              <input type="radio" name="ov-kind" checked={!closed} onChange={() => setClosed(false)} />
              Open (a session)
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name="ov-kind" checked={closed} onChange={() => setClosed(true)} />
              Closed all day
            </label>
          </div>
          {closed ? null : (
            <div className="grid grid-cols-2 gap-2">
              <Field label="Opens (IST)" htmlFor="ov-open" error={fieldError("opensAt")}>
                <Input id="ov-open" type="time" required value={opensAt} onChange={(e) => setOpensAt(e.target.value)} />
              </Field>
              <Field label="Closes (IST)" htmlFor="ov-close" error={fieldError("closesAt")}>
                <Input
                  id="ov-close"
                  type="time"
                  required
                  value={closesAt}
                  onChange={(e) => setClosesAt(e.target.value)}
                />
              </Field>
            </div>
          )}
          <Field label="Why (holiday or session name)" htmlFor="ov-desc" error={fieldError("description")}>
            <Input
              id="ov-desc"
              required
              maxLength={200}
              placeholder="Muhurat trading"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </Field>
          <Button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save override"}
          </Button>
        </form>
      </Card>
      <Card title={`Overrides this month (${overrides.length})`}>
        {overrides.length === 0 ? (
          <p className="text-sm text-slate-500">None: OpenAlgo's calendar and the defaults apply.</p>
        ) : (
          <Table
            head={
              <tr>
                <th className="py-1.5 pr-3">Date</th>
                <th className="pr-3">Exch.</th>
                <th className="pr-3">Session</th>
                <th />
              </tr>
            }
          >
            {overrides.map((o) => (
              <tr key={`${o.date}|${o.exchange}`} data-testid={`override-${o.date}-${o.exchange}`}>
                <td className="num py-1.5 pr-3 whitespace-nowrap">{o.date}</td>
                <td className="pr-3">{o.exchange}</td>
                <td className="pr-3 text-xs">
                  {o.closed ? <Badge tone="red">closed</Badge> : <span className="num">{o.window} IST</span>}
                  {o.description ? <span className="ml-1 text-slate-500">{o.description}</span> : null}
                </td>
                <td className="text-right">
                  <Button variant="ghost" onClick={() => onRemove({ date: o.date, exchange: o.exchange })}>
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
