/**
 * The broker-engine surface the server uses, stated structurally so the server depends on the seam in
 * lib/simulator/types.ts rather than on the engine's internals.
 */
import type {
  FaultConfig,
  InstanceConfig,
  InstanceMode,
  InstanceState,
  ReceivedOrder,
  RouteHandler,
} from "@/lib/simulator/types";

/** An `order_update` payload (docs/openalgo.md "WebSocket") without the `type` key, in the engine's key order. */
export type OrderUpdateData = Record<string, unknown>;

export interface BrokerEngine {
  // Route handlers are heterogeneous in their parsed value type; the server only moves values between
  // `validate` and `execute` of the same handler.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly routes: Record<string, RouteHandler<any, any>>;
  instance(id: string): InstanceState | undefined;
  instanceByKey(apiKey: string): InstanceState | undefined;
  createInstance(config: InstanceConfig): InstanceState;
  removeInstance(id: string): unknown;
  instances(): InstanceState[];
  reset(): void;
  revokeSession(id: string): unknown;
  login(id: string): unknown;
  setMode(id: string, mode: InstanceMode): unknown;
  setFaults(id: string, faults: Partial<FaultConfig>): unknown;
  receivedOrders(id: string): ReceivedOrder[];
  onOrderUpdate(listener: (instanceId: string, update: OrderUpdateData) => void): () => void;
}
