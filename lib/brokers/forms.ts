/**
 * How each broker kind's credentials are asked for on the account form, as plain data (no Node imports: the
 * browser bundle imports this module). components/accounts/broker-fields.tsx renders it; the registry
 * (lib/brokers/registry.ts) pairs it with the kind's credential schema, and a unit test keeps the two consistent.
 */
import type { BrokerKind } from "@/lib/brokers/kinds";
import type { BrokerForm } from "@/lib/brokers/form-spec";
import { OPENALGO_FORM } from "@/lib/brokers/openalgo/form";

export const BROKER_FORMS: Record<BrokerKind, BrokerForm> = {
  openalgo: OPENALGO_FORM,
};
