/**
 * Demo instances the simulator creates at start: `demo1..demoN` (OpenAlgo accounts) and one per direct broker kind
 * (docs/operations.md "Demo"). The app's seed (prisma/seed.ts) computes the same API keys and app secrets from the
 * same admin token, so both sides agree without sharing a file.
 */
import { createHash } from "node:crypto";
import { STORED_KIND, type BrokerKind } from "@/lib/brokers/kinds";
import type { InstanceConfig } from "@/lib/simulator/types";

const MIN_CAPITAL = 500_000; // ₹5 lakh
const MAX_CAPITAL = 5_000_000; // ₹50 lakh

/** Hex sha256 of `${adminToken}:demo${n}`. */
export function demoApiKey(adminToken: string, n: number): string {
  return createHash("sha256").update(`${adminToken}:demo${n}`).digest("hex");
}

/**
 * `count` instances with capital spread evenly from ₹5 lakh (demo1) to ₹50 lakh (demoN), rounded to whole
 * thousands so the figures read well on screen. A single instance gets ₹5 lakh.
 */
export function demoInstanceConfigs(adminToken: string, count: number): InstanceConfig[] {
  const configs: InstanceConfig[] = [];
  for (let n = 1; n <= count; n++) {
    const share = count === 1 ? 0 : (n - 1) / (count - 1);
    const capital = Math.round((MIN_CAPITAL + share * (MAX_CAPITAL - MIN_CAPITAL)) / 1000) * 1000;
    configs.push({ id: `demo${n}`, apiKey: demoApiKey(adminToken, n), capital: String(capital) });
  }
  return configs;
}

/** One simulated direct-broker account of the demo: a simulator instance and the account the seed links to it. */
export interface DemoDirectBroker {
  kind: Exclude<BrokerKind, "openalgo">;
  /** The simulator instance's id, also the client id where the broker asks for one (letters and digits only). */
  id: string;
  /** The demo trader's account name. */
  name: string;
  /** The broker's API root on the simulator, below its HTTP URL (docs/brokers/<kind>.md). */
  path: `/${string}`;
  /** Shapes the derived hex into the broker's app-key format, where its form checks one. */
  apiKey?: (hex: string) => string;
}

/**
 * The direct brokers of the demo, one line each. Their sessions come from the trader's own first login through the
 * simulator's login page; the demo's data never depends on them being logged in.
 */
export const DEMO_DIRECT_BROKERS: readonly DemoDirectBroker[] = [
  { kind: "zerodha", id: "demozerodha", name: "Zerodha (simulated)", path: "/kite" },
  { kind: "upstox", id: "demoupstox", name: "Upstox (simulated)", path: "/upstox" },
  // A Fyers App ID reads like XXXXXXXXXX-100.
  {
    kind: "fyers",
    id: "demofyers",
    name: "Fyers (simulated)",
    path: "/fyers",
    apiKey: (h) => `${h.toUpperCase()}-100`,
  },
  { kind: "dhan", id: "demodhan", name: "Dhan (simulated)", path: "/dhan/v2" },
  { kind: "angel", id: "demoangel", name: "Angel One (simulated)", path: "/angel" },
];

const DIRECT_CAPITAL = "1000000"; // ₹10 lakh each

const hexOf = (text: string) => createHash("sha256").update(text).digest("hex");

/** The broker app's key and secret of a demo direct account, derived from the admin token. */
export function demoDirectApp(adminToken: string, broker: DemoDirectBroker): { apiKey: string; appSecret: string } {
  const key = hexOf(`${adminToken}:${broker.id}:key`).slice(0, 20);
  return { apiKey: broker.apiKey ? broker.apiKey(key) : key, appSecret: hexOf(`${adminToken}:${broker.id}:secret`) };
}

/** The callback a broker app registers with MirrorDesk at `appUrl` (as the accounts service builds it). */
export const demoCallbackUrl = (appUrl: string, kind: DemoDirectBroker["kind"]) =>
  `${appUrl.replace(/\/+$/, "")}/api/brokers/${STORED_KIND[kind].toLowerCase()}/callback`;

/** The simulator instances behind DEMO_DIRECT_BROKERS; their login pages send the browser back to `appUrl`. */
export function demoDirectInstanceConfigs(adminToken: string, appUrl: string): InstanceConfig[] {
  return DEMO_DIRECT_BROKERS.map((b) => {
    const { apiKey, appSecret } = demoDirectApp(adminToken, b);
    return { id: b.id, apiKey, appSecret, capital: DIRECT_CAPITAL, redirectUrl: demoCallbackUrl(appUrl, b.kind) };
  });
}
