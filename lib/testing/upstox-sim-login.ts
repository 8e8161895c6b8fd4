/**
 * Logs an Upstox app in against the simulator the way a trader's browser does: the connector's `start` URL, the
 * simulator's login page, its one form submitted, the 302 read, and the connector's `exchange`.
 */
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import { upstoxLogin } from "@/lib/brokers/upstox/login";

const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!);

export interface SimLoginApp {
  hostUrl: string;
  apiKey: string;
  apiSecret: string;
}

/** The page's form submitted as the browser would: the callback URL the login redirected to. */
export async function submitLoginPage(app: SimLoginApp, redirectUrl: string, state: string): Promise<URL> {
  const start = await upstoxLogin.start(app, { redirectUrl, state });
  const page = await fetch(start);
  if (page.status !== 200) throw new Error(`login page answered ${page.status}`);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error("login page has no form");
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(m[1], unescapeHtml(m[2]));
  const submitted = await fetch(new URL(action, start), { method: "POST", body: fields, redirect: "manual" });
  const location = submitted.headers.get("location");
  if (submitted.status !== 302 || !location) throw new Error(`login form answered ${submitted.status}`);
  return new URL(location);
}

export async function loginViaSimulator(
  app: SimLoginApp,
  now: () => number,
  redirectUrl = "https://mirrordesk.test/accounts/upstox/callback",
  state = "state-0001",
): Promise<BrokerSessionTokens> {
  const callback = await submitLoginPage(app, redirectUrl, state);
  return upstoxLogin.exchange(app, callback.searchParams, redirectUrl, { now });
}
