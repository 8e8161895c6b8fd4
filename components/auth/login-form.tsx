"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert, Button, Card, Field, Input } from "@/components/ui/primitives";
import { api, ApiError } from "@/components/ui/api";

export function LoginForm({ registrationOpen, notice }: { registrationOpen: boolean; notice?: string }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api("/api/login", { body: { email: form.get("email"), password: form.get("password") } });
      window.location.assign("/dashboard");
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "NETWORK", "Cannot reach the server. Check your connection."));
      setBusy(false);
    }
  }

  return (
    <Card title="Sign in">
      <form onSubmit={submit} className="space-y-3" noValidate>
        {notice ? <Alert tone="green" role="status">{notice}</Alert> : null}
        {error ? <Alert>{error.message}</Alert> : null}
        <Field label="Email" htmlFor="email" error={error?.fields?.email}>
          <Input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        </Field>
        <Field label="Password" htmlFor="password" error={error?.fields?.password}>
          <Input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        {registrationOpen ? (
          <p className="text-center text-xs text-slate-500">
            No account? <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href="/register">Create one</Link>
          </p>
        ) : null}
      </form>
    </Card>
  );
}
