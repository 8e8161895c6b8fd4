/** The `orderTag` of each order placed through the Fyers front-end: Fyers echoes it, the engine's live books do not. */
import type { InstanceState } from "@/lib/simulator/types";

const tags = new WeakMap<InstanceState, Map<string, string>>();

export function rememberOrderTag(inst: InstanceState, orderId: string, tag: string): void {
  const mine = tags.get(inst) ?? new Map<string, string>();
  mine.set(orderId, tag);
  tags.set(inst, mine);
}

export function orderTag(inst: InstanceState, orderId: string): string {
  return tags.get(inst)?.get(orderId) ?? "";
}
