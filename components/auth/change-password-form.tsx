"use client";

import { Alert, Button, Card, Field, Input } from "@/components/ui/primitives";
import { api } from "@/components/ui/api";
import { useApiForm } from "@/components/ui/use-api-form";

export function ChangePasswordForm() {
  const {
    error,
    busy,
    onSubmit: submit,
  } = useApiForm(async (form) => {
    await api("/api/me/password", {
      method: "PUT",
      body: { currentPassword: form.get("currentPassword"), newPassword: form.get("newPassword") },
    });
    // Changing the password ends every session of this user, this one included.
    window.location.assign("/login?notice=password-changed");
  });

  return (
    <Card title="Change password">
      <form onSubmit={submit} className="space-y-3" noValidate>
        {error ? <Alert>{error.message}</Alert> : null}
        <Field label="Current password" htmlFor="currentPassword" error={error?.fields?.currentPassword}>
          <Input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" required />
        </Field>
        <Field label="New password (at least 10 characters)" htmlFor="newPassword" error={error?.fields?.newPassword}>
          <Input
            id="newPassword"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            minLength={10}
            required
          />
        </Field>
        <p className="text-xs text-slate-500">
          You will be signed out everywhere and sign in again with the new password.
        </p>
        <Button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Change password"}
        </Button>
      </form>
    </Card>
  );
}
