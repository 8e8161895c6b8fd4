"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Button, Input } from "@/components/ui/primitives";
import type { OrderJson } from "@/lib/services/accounts";

/** Cancel / modify buttons for one working order (hidden for finished orders and read-only users). */
export function OrderActions({ accountId, order }: { accountId: string; order: OrderJson }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const url = `/api/accounts/${accountId}/orders/${encodeURIComponent(order.orderId)}`;
  const after = {
    onSuccess: () => {
      setEditing(false);
      setError(null);
      return qc.invalidateQueries({ queryKey: ["book"] });
    },
    onError: (e: unknown) => setError(e instanceof ApiError ? e.message : "Cannot reach the server."),
  };
  const cancel = useMutation({ mutationFn: () => api(url, { method: "DELETE" }), ...after });
  const modify = useMutation({
    mutationFn: (body: { price: string; quantity: number }) => api(url, { method: "PATCH", body }),
    ...after,
  });

  if (order.status !== "open" && order.status !== "trigger_pending") return null;
  if (editing) {
    return (
      <form
        className="flex items-center gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          modify.mutate({ price: String(f.get("price")), quantity: Number(f.get("quantity")) });
        }}
      >
        <Input
          aria-label="New quantity"
          name="quantity"
          defaultValue={order.quantity}
          className="w-20"
          inputMode="numeric"
        />
        <Input aria-label="New price" name="price" defaultValue={order.price} className="w-24" inputMode="decimal" />
        <Button type="submit" disabled={modify.isPending}>
          Save
        </Button>
        <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
          ×
        </Button>
        {error ? <span className="text-xs text-rose-600">{error}</span> : null}
      </form>
    );
  }
  return (
    <span className="flex items-center justify-end gap-1">
      <Button variant="ghost" onClick={() => setEditing(true)}>
        Modify
      </Button>
      <Button variant="ghost" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
        {cancel.isPending ? "Cancelling…" : "Cancel"}
      </Button>
      {error ? <span className="text-xs text-rose-600">{error}</span> : null}
    </span>
  );
}
