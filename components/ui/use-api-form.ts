"use client";

import { useState, type FormEvent } from "react";
import { ApiError } from "@/components/ui/api";

/**
 * Submit handling shared by the small JSON forms: reads the form, calls `send`, keeps the busy flag and the
 * API's error (message + per-field messages). `send` decides what happens on success (usually a navigation).
 */
export function useApiForm(send: (form: FormData) => Promise<void>) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await send(form);
    } catch (err) {
      setError(
        err instanceof ApiError ? err : new ApiError(0, "NETWORK", "Cannot reach the server. Check your connection."),
      );
      setBusy(false);
    }
  }

  return { error, busy, onSubmit };
}
