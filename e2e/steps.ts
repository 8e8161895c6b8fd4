import { expect, type Page } from "@playwright/test";
import { admin, SIM } from "./people";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Headers that mark an API call made with `page.request` as coming from the app's own page: state-changing routes
 * refuse requests without a same-origin Origin (Playwright's request context sends none by itself).
 */
export function sameOrigin(page: Page): Record<string, string> {
  return { Origin: new URL(page.url()).origin };
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

/** Waits until exactly `count` slice chips of the run view are shown and every one is in one of `states`. */
export async function expectChipsIn(page: Page, count: number, states: readonly string[], timeout = 45_000) {
  const chips = page.getByTestId("intent-chip");
  await expect(chips).toHaveCount(count);
  await expect
    .poll(
      async () =>
        chips.evaluateAll(
          (els, wanted) => els.filter((e) => wanted.includes(e.getAttribute("data-state") ?? "")).length,
          [...states],
        ),
      { timeout },
    )
    .toBe(count);
}

/** Signs in and waits for the dashboard. */
export async function signInToDashboard(page: Page, who: { email: string; password: string }) {
  await signIn(page, who.email, who.password);
  await expect(page).toHaveURL(/\/dashboard/);
}

/** Manual ticket: searches `query` on `exchange` and picks the first result whose text matches `option`. */
export async function pickSymbol(page: Page, exchange: string, query: string, option: RegExp) {
  await page.getByLabel("Exchange filter").selectOption(exchange);
  await page.getByLabel("Symbol search").fill(query);
  await page.getByRole("option", { name: option }).first().click();
}

/**
 * While held, an order of the demo instances demo1..demo{count} that did not fill when placed stays open (the
 * simulator's holdRestingOrders knob): a cancel or a kill switch then never races a fill on a busy machine.
 */
export async function holdRestingOrders(page: Page, count: number, hold: boolean) {
  for (let n = 1; n <= count; n++) {
    const res = await page.request.post(`${SIM.http}/_sim/instances/demo${n}/faults`, {
      headers: { Authorization: `Bearer ${SIM.adminToken}` },
      data: { holdRestingOrders: hold },
    });
    expect(res.ok(), await res.text()).toBe(true);
  }
}

/**
 * Holds (or releases) every simulated price (the simulator's hold-prices control), so orders priced from a preview
 * meet the same quotes at the broker however long a busy machine takes between the two.
 */
export async function holdPrices(page: Page, hold: boolean) {
  const res = await page.request.post(`${SIM.http}/_sim/market/hold-prices`, {
    headers: { Authorization: `Bearer ${SIM.adminToken}` },
    data: { hold },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

/**
 * Stalls (or releases) one contract on the simulator's WebSocket (control API stall-symbol): its live ticks stop while
 * its price moves on and REST still quotes it, so the stale-data watchdog flags it (docs/market-data.md "Stale data").
 */
export async function stallSymbol(page: Page, symbol: string, exchange: string, stalled: boolean) {
  const res = await page.request.post(`${SIM.http}/_sim/market/stall-symbol`, {
    headers: { Authorization: `Bearer ${SIM.adminToken}` },
    data: { symbol, exchange, stalled },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

/**
 * Moves an index or equity at once on the simulator (control API jump), to a price or by a percentage; returns the
 * new price.
 */
export async function jumpPrice(
  page: Page,
  target: { underlying: string } | { symbol: string; exchange: string },
  move: { to: number } | { percent: number },
): Promise<number> {
  const res = await page.request.post(`${SIM.http}/_sim/market/jump`, {
    headers: { Authorization: `Bearer ${SIM.adminToken}` },
    data: { ...target, ...move },
  });
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { price: number }).price;
}

/**
 * The signed-in user's own accounts (an admin's account list includes other owners' accounts, and a ticket goes
 * only to the sender's own).
 */
export async function ownAccounts(page: Page): Promise<{ id: string; name: string; active: boolean }[]> {
  const session = (await (await page.request.get("/api/auth/session")).json()) as { user?: { id?: string } };
  const { accounts } = (await (await page.request.get("/api/accounts")).json()) as {
    accounts: { id: string; name: string; active: boolean; ownerId: string }[];
  };
  return accounts.filter((a) => a.ownerId === session.user?.id);
}

/**
 * A trader of the calling spec's own, with simulator accounts of their own (a fresh simulator instance each, so no
 * other spec's account is touched): the admin creates the trader, who links the accounts over the API. On a fresh
 * database the admin is registered first (the first user becomes the admin), so the spec also runs on its own.
 * Leaves the trader signed in.
 */
export async function traderWithAccounts(
  page: Page,
  trader: { name: string; email: string; password: string },
  accounts: { instance: string; name: string; capital: string }[],
) {
  const origin = { Origin: new URL(String(process.env.APP_URL ?? "http://127.0.0.1:3100")).origin };
  // Refused (403) once the admin exists: only the first registration is open.
  await page.request.post("/api/register", { headers: origin, data: admin });
  await page.context().clearCookies();
  await signInToDashboard(page, admin);
  const made = await page.request.post("/api/users", {
    headers: sameOrigin(page),
    data: { ...trader, role: "TRADER" },
  });
  expect(made.status(), await made.text()).toBe(201);
  await signOut(page);
  await signInToDashboard(page, trader);
  for (const a of accounts) {
    const apiKey = `${a.instance}-key-0123456789abcdef`;
    const sim = await page.request.post(`${SIM.http}/_sim/instances`, {
      headers: { Authorization: `Bearer ${SIM.adminToken}` },
      data: { id: a.instance, apiKey, capital: a.capital },
    });
    expect(sim.status(), await sim.text()).toBe(201);
    const linked = await page.request.post("/api/accounts", {
      headers: sameOrigin(page),
      data: { name: a.name, hostUrl: `${SIM.http}/i/${a.instance}`, wsUrl: SIM.ws, apiKey },
    });
    expect(linked.status(), await linked.text()).toBe(201);
  }
}

/** Fills leg `n` of the strategy builder with one lot of a NIFTY current-week option `otm` strikes out of the money. */
export async function fillOptionLeg(
  page: Page,
  n: number,
  leg: { action: "BUY" | "SELL"; type: "CE" | "PE"; otm: number },
) {
  await page.getByLabel(`Leg ${n} underlying`).selectOption("NIFTY");
  await page.getByLabel(`Leg ${n} expiry`).selectOption("current_week");
  await page.getByLabel(`Leg ${n} action`).selectOption(leg.action);
  await page.getByLabel(`Leg ${n} option type`).selectOption(leg.type);
  await page.getByLabel(`Leg ${n} strike`, { exact: true }).selectOption("OTM");
  await page.getByLabel(`Leg ${n} strikes away`).fill(String(leg.otm));
  await page.getByLabel(`Leg ${n} lots`).fill("1");
}

/** Marks the page's document; `sameDocument` later tells whether the page was reloaded since (the mark is gone). */
export const markDocument = (page: Page) =>
  page.evaluate(() => ((window as unknown as { __e2eMark?: number }).__e2eMark = 1));
export const sameDocument = async (page: Page) =>
  (await page.evaluate(() => (window as unknown as { __e2eMark?: number }).__e2eMark)) === 1;

/**
 * An order typed into an account's own broker terminal: an OpenAlgo call (placeorder, modifyorder, cancelorder,
 * quotes) straight to its simulator instance, tag "Terminal" (no MirrorDesk intent). Answers the broker's JSON.
 */
export async function terminalCall(
  page: Page,
  instance: string,
  call: "placeorder" | "modifyorder" | "cancelorder" | "quotes",
  body: Record<string, unknown>,
): Promise<{ status: string; orderid?: string; data?: { ltp: number } }> {
  const res = await page.request.post(`${SIM.http}/i/${instance}/api/v1/${call}`, {
    data: {
      apikey: `${instance}-key-0123456789abcdef`,
      ...(call === "quotes" ? {} : { strategy: "Terminal" }),
      ...body,
    },
  });
  const json = (await res.json()) as { status: string; orderid?: string; data?: { ltp: number } };
  expect(json.status, `${call} ${JSON.stringify(json)}`).toBe("success");
  return json;
}

/** The nearest NIFTY future and its lot size, as the trader's market data lists it. */
export async function niftyFuture(page: Page) {
  const res = await page.request.get("/api/symbols/search?q=NIFTY&exchange=NFO");
  expect(res.ok(), await res.text()).toBe(true);
  const { results } = (await res.json()) as {
    results: { symbol: string; instrumentType: string; expiry: string | null; lotSize: number }[];
  };
  const fut = results
    .filter((r) => r.instrumentType === "FUT" && /^NIFTY\d/.test(r.symbol))
    .sort((a, b) => (a.expiry ?? "").localeCompare(b.expiry ?? ""))[0];
  expect(fut, JSON.stringify(results.slice(0, 5))).toBeTruthy();
  return fut;
}

/** Sets fault knobs of one simulator instance (control API), e.g. `{holdRestingOrders: true}`. */
export async function setInstanceFaults(page: Page, instance: string, faults: Record<string, unknown>) {
  const res = await page.request.post(`${SIM.http}/_sim/instances/${instance}/faults`, {
    headers: { Authorization: `Bearer ${SIM.adminToken}` },
    data: faults,
  });
  expect(res.ok(), await res.text()).toBe(true);
}
