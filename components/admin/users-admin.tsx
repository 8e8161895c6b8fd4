"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, Field, Input, Select, Table } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";

interface User {
  id: string;
  email: string;
  name: string;
  role: "ADMIN" | "TRADER" | "VIEWER";
  active: boolean;
  createdAt: string;
  viewsTraderIds: string[];
}

export function UsersAdmin() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ["users"], queryFn: () => api<{ users: User[] }>("/api/users") });
  const registration = useQuery({
    queryKey: ["registration"],
    queryFn: () => api<{ open: boolean }>("/api/settings/registration"),
  });
  const [error, setError] = useState<ApiError | null>(null);

  const onError = (e: unknown) =>
    setError(e instanceof ApiError ? e : new ApiError(0, "NETWORK", "Cannot reach the server."));
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string; role?: User["role"]; active?: boolean }) =>
      api(`/api/users/${id}`, { method: "PATCH", body }),
    onSuccess: () => {
      setError(null);
      return qc.invalidateQueries({ queryKey: ["users"] });
    },
    onError,
  });
  const toggleRegistration = useMutation({
    mutationFn: (open: boolean) => api("/api/settings/registration", { method: "PUT", body: { open } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["registration"] }),
    onError,
  });

  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_320px]">
      <Card
        title={`People (${users.data?.users.length ?? "…"})`}
        actions={
          registration.data ? (
            <label className="flex items-center gap-2 text-xs">
              <input
                type="checkbox"
                checked={registration.data.open}
                onChange={(e) => toggleRegistration.mutate(e.target.checked)}
                aria-label="Self-registration open"
              />
              Self-registration {registration.data.open ? <Badge tone="amber">open</Badge> : <Badge>closed</Badge>}
            </label>
          ) : null
        }
      >
        {error ? (
          <div className="mb-3">
            <Alert>{error.message}</Alert>
          </div>
        ) : null}
        {users.error ? <Alert>{(users.error as Error).message}</Alert> : null}
        <Table
          head={
            <tr>
              <th className="py-1.5 pr-3">Name</th>
              <th className="pr-3">Email</th>
              <th className="pr-3">Role</th>
              <th className="pr-3">Status</th>
              <th className="pr-3">Reads desks of</th>
              <th className="pr-3">Since</th>
              <th />
            </tr>
          }
        >
          {users.data?.users.map((u) => (
            <tr key={u.id} data-testid={`user-row-${u.email}`}>
              <td className="py-1.5 pr-3">{u.name}</td>
              <td className="pr-3 text-slate-600 dark:text-slate-400">{u.email}</td>
              <td className="pr-3">
                <Select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  onChange={(e) => update.mutate({ id: u.id, role: e.target.value as User["role"] })}
                >
                  <option value="ADMIN">Admin</option>
                  <option value="TRADER">Trader</option>
                  <option value="VIEWER">Viewer</option>
                </Select>
              </td>
              <td className="pr-3">
                {u.active ? <Badge tone="green">active</Badge> : <Badge tone="red">deactivated</Badge>}
              </td>
              <td className="pr-3">
                {u.role === "VIEWER" ? (
                  <ViewerTraders
                    viewer={u}
                    traders={(users.data?.users ?? []).filter((t) => t.role === "TRADER")}
                    onSaved={() => qc.invalidateQueries({ queryKey: ["users"] })}
                    onError={onError}
                  />
                ) : (
                  <span className="text-xs text-slate-400">—</span>
                )}
              </td>
              <td className="pr-3 text-xs whitespace-nowrap text-slate-500">{formatDateTime(u.createdAt)}</td>
              <td className="text-right">
                <Button
                  variant={u.active ? "ghost" : "secondary"}
                  onClick={() => update.mutate({ id: u.id, active: !u.active })}
                >
                  {u.active ? "Deactivate" : "Reactivate"}
                </Button>
              </td>
            </tr>
          ))}
        </Table>
      </Card>
      <CreateUser onCreated={() => qc.invalidateQueries({ queryKey: ["users"] })} />
    </div>
  );
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: Record<string, FormDataEntryValue | null>) => api<{ user: User }>("/api/users", { body }),
    onSuccess: (r) => {
      setError(null);
      setDone(`Created ${r.user.email}`);
      onCreated();
    },
    onError: (e) => {
      setDone(null);
      setError(e instanceof ApiError ? e : new ApiError(0, "NETWORK", "Cannot reach the server."));
    },
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const f = new FormData(formEl);
    create.mutate(
      { name: f.get("name"), email: f.get("email"), password: f.get("password"), role: f.get("role") },
      { onSuccess: () => formEl.reset() },
    );
  }

  return (
    <Card title="Create user">
      <form onSubmit={submit} className="space-y-3" noValidate>
        {error ? <Alert>{error.message}</Alert> : null}
        {done ? (
          <Alert tone="green" role="status">
            {done}
          </Alert>
        ) : null}
        <Field label="Name" htmlFor="new-name" error={error?.fields?.name}>
          <Input id="new-name" name="name" required />
        </Field>
        <Field label="Email" htmlFor="new-email" error={error?.fields?.email}>
          <Input id="new-email" name="email" type="email" required />
        </Field>
        <Field label="Initial password (≥ 10 characters)" htmlFor="new-password" error={error?.fields?.password}>
          <Input id="new-password" name="password" type="password" autoComplete="new-password" required />
        </Field>
        <Field label="Role" htmlFor="new-role" error={error?.fields?.role}>
          <Select id="new-role" name="role" defaultValue="TRADER" className="w-full">
            <option value="TRADER">Trader</option>
            <option value="VIEWER">Viewer (read-only)</option>
            <option value="ADMIN">Admin</option>
          </Select>
        </Field>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </Button>
      </form>
    </Card>
  );
}

/** The traders a viewer may read: a checkbox per trader, saved together. */
function ViewerTraders({
  viewer,
  traders,
  onSaved,
  onError,
}: {
  viewer: User;
  traders: User[];
  onSaved: () => void;
  onError: (e: unknown) => void;
}) {
  const [picked, setPicked] = useState<string[] | null>(null);
  const chosen = picked ?? viewer.viewsTraderIds;
  const save = useMutation({
    mutationFn: (traderIds: string[]) => api(`/api/users/${viewer.id}/traders`, { method: "PUT", body: { traderIds } }),
    onSuccess: () => {
      setPicked(null);
      onSaved();
    },
    onError,
  });
  const names = traders.filter((t) => viewer.viewsTraderIds.includes(t.id)).map((t) => t.name);
  const toggle = (id: string, on: boolean) => setPicked(on ? [...chosen, id] : chosen.filter((x) => x !== id));
  return (
    <details className="text-xs" data-testid={`viewer-traders-${viewer.email}`}>
      <summary className="cursor-pointer text-slate-700 dark:text-slate-300">
        {names.length ? names.join(", ") : "No traders"}
      </summary>
      <div className="mt-1 space-y-1 rounded-md p-2 ring-1 ring-slate-200 dark:ring-slate-700">
        {traders.length === 0 ? <p className="text-slate-500">No traders yet.</p> : null}
        {traders.map((t) => (
          <label key={t.id} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={chosen.includes(t.id)}
              onChange={(e) => toggle(t.id, e.target.checked)}
              aria-label={`${viewer.email} reads ${t.email}`}
            />
            {t.name} <span className="text-slate-500">{t.email}</span>
          </label>
        ))}
        <Button
          variant="secondary"
          className="mt-1"
          disabled={picked === null || save.isPending}
          onClick={() => save.mutate(chosen)}
        >
          {save.isPending ? "Saving…" : "Save"}
        </Button>
      </div>
    </details>
  );
}
