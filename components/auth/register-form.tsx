"use client";

import Link from "next/link";
import { Alert, Button, Card, Field, Input } from "@/components/ui/primitives";
import { api } from "@/components/ui/api";
import { useApiForm } from "@/components/ui/use-api-form";

export function RegisterForm({ open, firstUser }: { open: boolean; firstUser: boolean }) {
  const {
    error,
    busy,
    onSubmit: submit,
  } = useApiForm(async (form) => {
    await api("/api/register", {
      body: { name: form.get("name"), email: form.get("email"), password: form.get("password") },
    });
    window.location.assign("/dashboard");
  });

  if (!open) {
    return (
      <Card title="Registration is closed">
        <p className="text-sm text-slate-600 dark:text-slate-400">Ask an administrator to create an account for you.</p>
        <p className="mt-3 text-xs">
          <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href="/login">
            Back to sign in
          </Link>
        </p>
      </Card>
    );
  }

  return (
    <Card title="Create account">
      <form onSubmit={submit} className="space-y-3" noValidate>
        {firstUser ? (
          <Alert tone="amber" role="status">
            You are the first user: this account becomes the administrator.
          </Alert>
        ) : null}
        {error ? <Alert>{error.message}</Alert> : null}
        <Field label="Name" htmlFor="name" error={error?.fields?.name}>
          <Input id="name" name="name" autoComplete="name" required autoFocus />
        </Field>
        <Field label="Email" htmlFor="email" error={error?.fields?.email}>
          <Input id="email" name="email" type="email" autoComplete="username" required />
        </Field>
        <Field label="Password (at least 10 characters)" htmlFor="password" error={error?.fields?.password}>
          <Input id="password" name="password" type="password" autoComplete="new-password" minLength={10} required />
        </Field>
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </Button>
        <p className="text-center text-xs text-slate-500">
          Have an account?{" "}
          <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href="/login">
            Sign in
          </Link>
        </p>
      </form>
    </Card>
  );
}
