/**
 * How each broker kind's credentials are asked for on the account form, as plain data (no Node imports: the
 * browser bundle imports this module). components/accounts/broker-fields.tsx renders it; the registry
 * (lib/brokers/registry.ts) pairs it with the kind's credential schema, and a unit test keeps the two consistent.
 */
import type { BrokerKind } from "@/lib/brokers/kinds";
import type { BrokerForm } from "@/lib/brokers/form-spec";
import { ANGEL_FORM } from "@/lib/brokers/angel/form";
import { DHAN_FORM } from "@/lib/brokers/dhan/form";
import { FYERS_FORM } from "@/lib/brokers/fyers/form";
import { OPENALGO_FORM } from "@/lib/brokers/openalgo/form";
import { UPSTOX_FORM } from "@/lib/brokers/upstox/form";
import { ZERODHA_FORM } from "@/lib/brokers/zerodha/form";

export const BROKER_FORMS: Record<BrokerKind, BrokerForm> = {
  openalgo: OPENALGO_FORM,
  zerodha: ZERODHA_FORM,
  upstox: UPSTOX_FORM,
  fyers: FYERS_FORM,
  dhan: DHAN_FORM,
  angel: ANGEL_FORM,
};
