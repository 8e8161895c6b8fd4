import { expect, test, type Page } from "@playwright/test";
import { SIM } from "./people";
import { newFuturesStrategy, shootBoth } from "./risk-steps";
import { expectChipsIn, holdPrices, markDocument, sameDocument, sameOrigin, traderWithAccounts } from "./steps";

// Direct broker accounts end to end (docs/direct-brokers.md): a trader with one OpenAlgo account links one account of
// each direct broker through the account form's broker picker, against the simulator's native front-ends, and logs
// each in through its broker's login page. A strategy then runs over the mix: the preview plans every account, every
// account's order fills and reaches its broker exactly once, "Exit strategy" flattens them all, and the kill switch
// refuses a new entry. Last, the brokers' clock moves past the sessions' daily expiry: the readiness board turns the
// direct accounts red and the accounts page shows "session expired", both without a reload. Self-contained: its own
// trader and simulator instances.
test.describe.configure({ mode: "serial" });

const STAMP = Date.now().toString(36);
const APP_URL = String(process.env.APP_URL ?? "http://127.0.0.1:3100");
const trader = { name: "Dinesh Direct", email: `dinesh-${STAMP}@example.in`, password: "direct-pass-2026" };
const OPENALGO = { instance: `dx-${STAMP}-oa`, name: "Direct Mix OpenAlgo", capital: "5000000" };
const STRATEGY = `Direct mix ${STAMP}`;

interface DirectAccount {
  kind: "zerodha" | "upstox" | "fyers" | "dhan" | "angel";
  /** The broker's name in the picker and on the "Log in to …" button. */
  label: string;
  /** Simulator instance id: letters and digits, so it is a valid client id at every broker. */
  instance: string;
  name: string;
  apiKey: string;
  /** The API root under the simulator's URL (docs/brokers/<kind>.md). */
  path: string;
  /** The form's labels of the key, the secret, the API URL and (where asked) the client id. */
  fields: { apiKey: string; apiSecret: string; hostUrl: string; clientId?: string };
}

const DIRECT: DirectAccount[] = [
  {
    kind: "zerodha",
    label: "Zerodha",
    instance: `ze${STAMP}`,
    name: "Direct Zerodha",
    apiKey: `ze${STAMP}-app-key-0001`,
    path: "/kite",
    fields: { apiKey: "Kite Connect API key", apiSecret: "Kite Connect API secret", hostUrl: "API root" },
  },
  {
    kind: "upstox",
    label: "Upstox",
    instance: `up${STAMP}`,
    name: "Direct Upstox",
    apiKey: `up${STAMP}-app-key-0001`,
    path: "/upstox",
    fields: { apiKey: "API key", apiSecret: "API secret", hostUrl: "API URL" },
  },
  {
    kind: "fyers",
    label: "Fyers",
    instance: `fy${STAMP}`,
    name: "Direct Fyers",
    apiKey: `FY${STAMP.toUpperCase()}-100`,
    path: "/fyers",
    fields: { apiKey: "App ID", apiSecret: "Secret ID", hostUrl: "API URL" },
  },
  {
    kind: "dhan",
    label: "Dhan",
    instance: `dh${STAMP}`,
    name: "Direct Dhan",
    apiKey: `dh${STAMP}-app-key-0001`,
    path: "/dhan/v2",
    fields: { apiKey: "API key", apiSecret: "API secret", hostUrl: "API URL (optional)", clientId: "Dhan client ID" },
  },
  {
    kind: "angel",
    label: "Angel One",
    instance: `ag${STAMP}`,
    name: "Direct Angel",
    apiKey: `ag${STAMP}-app-key-0001`,
    path: "/angel",
    fields: {
      apiKey: "SmartAPI app API key",
      apiSecret: "SmartAPI app secret key",
      hostUrl: "API host URL",
      clientId: "Angel One client ID",
    },
  },
];
const secretOf = (a: DirectAccount) => `${a.instance}-app-secret-0001`;
const ALL = [OPENALGO.name, ...DIRECT.map((a) => a.name)];
const admin = { Authorization: `Bearer ${SIM.adminToken}` };

interface ReceivedOrder {
  action: "BUY" | "SELL";
  symbol: string;
  quantity: number;
}

/** Every order the simulator instance received, whichever of its APIs it came through (control API). */
async function received(page: Page, instance: string): Promise<string[]> {
  const res = await page.request.get(`${SIM.http}/_sim/instances/${instance}/orders`, { headers: admin });
  expect(res.ok(), await res.text()).toBe(true);
  const { orders } = (await res.json()) as { orders: ReceivedOrder[] };
  return orders.map((o) => `${o.action} ${o.quantity} ${o.symbol}`);
}

async function simClock(page: Page, body?: Record<string, unknown>): Promise<number> {
  const res = body
    ? await page.request.post(`${SIM.http}/_sim/clock`, { headers: admin, data: body })
    : await page.request.get(`${SIM.http}/_sim/clock`, { headers: admin });
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { now: number }).now;
}

async function openAccounts(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await expect(page).toHaveURL(/\/accounts/);
}

/** The account form, as a trader fills it for a direct broker: the broker picked first, then its own fields. */
async function linkThroughForm(page: Page, a: DirectAccount) {
  await page.getByRole("button", { name: "Add account" }).click();
  const form = page.getByRole("form", { name: "Account form" });
  await form.getByLabel("Broker").selectOption({ label: a.label });
  await form.getByLabel("Name").fill(a.name);
  if (a.fields.clientId) await form.getByLabel(a.fields.clientId).fill(a.instance);
  await form.getByLabel(a.fields.apiKey, { exact: true }).fill(a.apiKey);
  await form.getByLabel(a.fields.apiSecret, { exact: true }).fill(secretOf(a));
  await form.getByLabel(a.fields.hostUrl, { exact: true }).fill(`${SIM.http}${a.path}`);
  await form.getByRole("button", { name: "Test and link" }).click();
  await expect(form).toHaveCount(0);
  const session = page.getByTestId(`broker-session-${a.name}`);
  await expect(session).toContainText("login needed");
  return session;
}

test("link and log in one account of each direct broker, trade a strategy over the mix, then see the sessions expire", async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000); // sign-ins, four links and logins, an entry and an exit over five accounts, two checks
  await traderWithAccounts(page, trader, []);
  // A plain simulator OpenAlgo instance (it reports "simulator"): the direct accounts, on the simulator's native
  // front-ends rather than their brokers' real API hosts, are simulated too, so one feed kind prices the whole mix
  // (docs/market-data.md "Real and simulated feeds").
  const openAlgoKey = `${OPENALGO.instance}-key-0123456789abcdef`;
  const made = await page.request.post(`${SIM.http}/_sim/instances`, {
    headers: admin,
    data: { id: OPENALGO.instance, apiKey: openAlgoKey, capital: OPENALGO.capital },
  });
  expect(made.status(), await made.text()).toBe(201);
  const linked = await page.request.post("/api/accounts", {
    headers: sameOrigin(page),
    data: { name: OPENALGO.name, hostUrl: `${SIM.http}/i/${OPENALGO.instance}`, wsUrl: SIM.ws, apiKey: openAlgoKey },
  });
  expect(linked.status(), await linked.text()).toBe(201);
  for (const a of DIRECT) {
    const sim = await page.request.post(`${SIM.http}/_sim/instances`, {
      headers: admin,
      data: {
        id: a.instance,
        apiKey: a.apiKey,
        appSecret: secretOf(a),
        capital: "2000000",
        // The app's address registered with the broker app: where its login page sends the browser back.
        redirectUrl: `${APP_URL}/api/brokers/${a.kind}/callback`,
      },
    });
    expect(sim.status(), await sim.text()).toBe(201);
  }

  // Link each through the broker picker, then log it in: the broker's page, its "Log in", back on Accounts.
  await openAccounts(page);
  for (const a of DIRECT) {
    const session = await linkThroughForm(page, a);
    await session.getByRole("button", { name: `Log in to ${a.label}` }).click();
    await expect(page).toHaveURL(new RegExp(`^${SIM.http}${a.kind === "dhan" ? "/dhan" : a.path}/`));
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/accounts$/);
    await expect(page.getByRole("status").filter({ hasText: `${a.name} is logged in at its broker.` })).toBeVisible();
    await expect(page.getByTestId(`broker-session-${a.name}`)).toContainText("logged in");
    await expect(page.getByTestId(`broker-session-${a.name}`)).toContainText("until");
  }
  for (const a of DIRECT) await expect(page.getByTestId(`broker-session-${a.name}`)).toContainText("logged in");
  await shootBoth(page, "accounts-logged-in", testInfo);

  // One strategy over the mix: every account planned, every order filled, each broker sent each order once.
  await newFuturesStrategy(page, STRATEGY, ALL);
  await page.getByRole("button", { name: "Create strategy" }).click();
  await expect(page).toHaveURL(/\/strategies\/[0-9a-f-]{36}$/);
  const strategyUrl = page.url();
  await holdPrices(page, true);
  const entered: string[] = [];
  try {
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    const preview = page.getByTestId("preview");
    for (const name of ALL)
      await expect(preview.getByTestId(`plan-account-${name}`)).toHaveAttribute("data-status", "planned");
    await expect(preview.getByTestId("plan-totals")).toContainText(`${ALL.length} of ${ALL.length} accounts planned`);
    await shootBoth(page, "mix-preview", testInfo);
    await page.getByRole("button", { name: /^Execute/ }).click();
    await expect(page).toHaveURL(/\/executions\/[0-9a-f-]{36}$/);
    await expectChipsIn(page, ALL.length, ["filled"]);
    await shootBoth(page, "mix-filled", testInfo);
    for (const instance of [OPENALGO.instance, ...DIRECT.map((a) => a.instance)]) {
      const orders = await received(page, instance);
      expect(orders, instance).toHaveLength(1);
      expect(orders[0], instance).toMatch(/^BUY \d+ NIFTY\w+FUT$/);
      entered.push(orders[0]);
    }
  } finally {
    await holdPrices(page, false);
  }
  // The same contract and quantity everywhere: one lot of the same future at every broker.
  expect(new Set(entered).size).toBe(1);

  // Exit the strategy from the Risk page: one exit, every account flat, one SELL per broker.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Risk" }).click();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Exit strategy" }).click();
  await expect(page.getByTestId("exit-row").first()).toHaveAttribute("data-status", "DONE", { timeout: 45_000 });
  const sold = entered[0].replace(/^BUY/, "SELL");
  for (const instance of [OPENALGO.instance, ...DIRECT.map((a) => a.instance)])
    await expect.poll(() => received(page, instance)).toEqual([entered[0], sold]);
  await expect
    .poll(async () => {
      const res = await page.request.get("/api/books/positions");
      const body = (await res.json()) as {
        accounts: { accountName: string; ok: boolean; data?: { quantity: number }[] }[];
      };
      return body.accounts
        .map((a) => `${a.accountName}:${a.ok ? (a.data ?? []).filter((p) => p.quantity !== 0).length : "unreadable"}`)
        .sort();
    })
    .toEqual(ALL.map((n) => `${n}:0`).sort());
  await shootBoth(page, "mix-exited", testInfo);

  // The kill switch refuses a new entry over the same accounts, and nothing more reaches any broker.
  page.once("dialog", (d) => d.accept());
  await page.getByLabel("Reason").fill("e2e direct drill");
  await page.getByRole("button", { name: "Kill switch: flatten my accounts" }).click();
  await expect(page.getByTestId("kill-switch-state")).toHaveText(/Engaged/);
  await page.goto(strategyUrl);
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await page.getByRole("button", { name: /^Execute/ }).click();
  await expect(
    page
      .getByRole("alert")
      .filter({ hasText: /kill switch/i })
      .first(),
  ).toBeVisible();
  await expect(page).not.toHaveURL(/\/executions\//);
  for (const instance of [OPENALGO.instance, ...DIRECT.map((a) => a.instance)])
    expect(await received(page, instance), instance).toEqual([entered[0], sold]);

  // The brokers' day ends: their clock moves past every session's expiry (control API). The browser's clock moves
  // with it, as a trader's would overnight; the app itself never reads either.
  const { accounts } = (await (await page.request.get("/api/accounts")).json()) as {
    accounts: { name: string; sessionExpiresAt: string | null }[];
  };
  const expiries = accounts.filter((a) => a.sessionExpiresAt).map((a) => Date.parse(a.sessionExpiresAt!));
  expect(expiries).toHaveLength(DIRECT.length);
  const lastExpiry = Math.max(...expiries);
  const simBefore = await simClock(page);
  const wallBefore = Date.now();
  try {
    await page.clock.install();
    await page.goto("/accounts");
    for (const a of DIRECT) await expect(page.getByTestId(`broker-session-${a.name}`)).toContainText("logged in");
    await markDocument(page);
    const pastExpiry = Math.max(lastExpiry - simBefore, lastExpiry - Date.now()) + 60_000;
    await simClock(page, { advanceMs: pastExpiry });
    await page.clock.fastForward(pastExpiry);
    for (const a of DIRECT) {
      const session = page.getByTestId(`broker-session-${a.name}`);
      await expect(session).toContainText("session expired");
      await expect(session.getByRole("button", { name: `Log in to ${a.label}` })).toBeVisible();
    }
    expect(await sameDocument(page)).toBe(true);
    await shootBoth(page, "accounts-expired", testInfo);

    // The readiness board asks each broker: every direct account is refused, red, with "log in" as the fix.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Readiness" }).click();
    await expect(page).toHaveURL(/\/readiness$/);
    await markDocument(page);
    await page.getByTestId("check-all").click();
    for (const a of DIRECT) {
      const board = page.getByTestId(`readiness-${a.name}`);
      await expect(board).toHaveAttribute("data-status", "RED", { timeout: 60_000 });
      await expect(board.locator('[data-check="session"]')).toHaveAttribute("data-level", "RED");
    }
    expect(await sameDocument(page)).toBe(true);
    await shootBoth(page, "readiness-expired", testInfo);
  } finally {
    // Back to where the simulator's clock was, for anything that runs after.
    await simClock(page, { set: simBefore + (Date.now() - wallBefore) });
  }
});
