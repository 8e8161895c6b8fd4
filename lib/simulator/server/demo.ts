/**
 * Demo instances `demo1..demoN` the simulator creates at start. The app's seed (prisma/seed.ts) computes the same
 * API keys from the same admin token, so both sides agree without sharing a file.
 */
import { createHash } from "node:crypto";
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
