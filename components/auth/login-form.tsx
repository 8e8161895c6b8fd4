"use client";

import Link from "next/link";
import { Alert, Button, Card, Field, Input } from "@/components/ui/primitives";
import { api } from "@/components/ui/api";
import { useApiForm } from "@/components/ui/use-api-form";

export function LoginForm({ registrationOpen, notice }: { registrationOpen: boolean; notice?: string }) {
  const {
    error,
    busy,
    onSubmit: submit,
  } = useApiForm(async (form) => {
    await api("/api/login", { body: { email: form.get("email"), password: form.get("password") } });
    window.location.assign("/dashboard");
  });

  return (
    <Card title="Sign in">
      <form onSubmit={submit} className="space-y-3" noValidate>
        {notice ? (
          <Alert tone="green" role="status">
            {notice}
          </Alert>
        ) : null}
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
            No account?{" "}
            <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href="/register">
              Create one
            </Link>
          </p>
        ) : null}
      </form>
    </Card>
  );
}
