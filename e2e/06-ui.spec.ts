import { expect, test } from "@playwright/test";
import { admin, SIM, viewer } from "./people";
import { signInToDashboard, signOut } from "./steps";

const trader = { name: "Tara Trader", email: "tara@example.in", password: "trader-pass-2026" };
/** A simulator instance of Tara's own (the demo instances belong to the admin's accounts). */
const DESK = { id: "taradesk", apiKey: "tara-desk-key-0123456789abcdef", capital: "16249454" };

test.describe("on a 390 px phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the menu reaches Risk and the kill switch", async ({ page }, testInfo) => {
    await signInToDashboard(page, admin);
    // The one-row desktop navigation is not shown on a phone; the Menu button is.
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    const menu = page.getByRole("navigation", { name: "Phone" });
    // A click that lands before the page is hydrated opens nothing: click until the menu is there.
    await expect(async () => {
      if (!(await menu.isVisible())) await page.getByRole("button", { name: "Menu" }).click();
      await expect(menu).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(menu.getByRole("link")).toHaveText([
      "Dashboard",
      "Accounts",
      "Readiness",
      "Strategies",
      "Copy",
      "Executions",
      "Trade",
      "Positions",
      "Orders",
      "Trades",
      "Holdings",
      "Option chain",
      "Risk",
      "Admin",
    ]);
    await page.screenshot({ path: testInfo.outputPath("phone-menu.png"), fullPage: true });
    await menu.getByRole("link", { name: "Risk" }).click();
    await expect(page).toHaveURL(/\/risk$/);
    await expect(menu).toBeHidden();

    const engage = page.getByRole("button", { name: "Kill switch: flatten my accounts" });
    await expect(engage).toBeVisible();
    await expect(engage).toBeInViewport();
    const box = (await engage.boundingBox())!;
    expect(box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await expect(page.getByTestId("kill-switch-state")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("phone-risk.png"), fullPage: true });

    // Sign out is in the menu too.
    await page.getByRole("button", { name: "Menu" }).click();
    await signOut(page);
  });
});

test("account totals read in lakh/crore with the exact sum on hover", async ({ page }, testInfo) => {
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  const rows = page.locator('tr[data-testid^="account-row-"]');
  await expect(rows).toHaveCount(5);
  const total = page.getByTestId("total-margin").locator("[data-exact]");
  await expect(total).toHaveText(/^₹\d+\.\d{2} (L|Cr)$/);
  // One DOM snapshot: the rows' exact figures and the total's text and title.
  const shown = await page.evaluate(() => {
    const table = document.querySelector('tr[data-testid^="account-row-"]')!.closest("table")!;
    const col = [...table.querySelectorAll("thead th")].findIndex(
      (th) => th.textContent?.trim() === "Available margin",
    );
    const cells = [...table.querySelectorAll('tr[data-testid^="account-row-"]')].map((tr) =>
      tr.children[col].textContent!.trim(),
    );
    const el = document.querySelector('[data-testid="total-margin"] [data-exact]')!;
    return { cells, text: el.textContent!.trim(), title: el.getAttribute("title") };
  });
  const paise = shown.cells.reduce((s, c) => s + Math.round(Number(c.replace(/[^\d.]/g, "")) * 100), 0);
  const rupees = paise / 100;
  const inr = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  for (const c of shown.cells) expect(c).toMatch(/^₹[\d,]+\.\d{2}$/);
  expect(shown.title).toBe(`₹${inr.format(rupees)}`);
  expect(shown.text).toBe(rupees >= 1e7 ? `₹${(rupees / 1e7).toFixed(2)} Cr` : `₹${(rupees / 1e5).toFixed(2)} L`);
  await total.hover();
  await page.screenshot({ path: testInfo.outputPath("accounts-total.png"), fullPage: true });
});

test("a viewer attached to a trader sees the trader's desk read-only, and writes are refused", async ({
  page,
  request,
  baseURL,
}, testInfo) => {
  // Four sign-ins across three people: a journey, not a wait.
  test.setTimeout(180_000);
  // The trader, with an account of their own holding ₹1.62 crore.
  const created = await request.post(`${SIM.http}/_sim/instances`, {
    headers: { authorization: `Bearer ${SIM.adminToken}` },
    data: DESK,
  });
  expect(created.status(), await created.text()).toBe(201);
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await page.getByLabel("Name").fill(trader.name);
  await page.getByLabel("Email").fill(trader.email);
  await page.getByLabel(/Initial password/).fill(trader.password);
  await page.getByLabel("Role", { exact: true }).selectOption("TRADER");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status")).toHaveText(`Created ${trader.email}`);
  await signOut(page);

  await signInToDashboard(page, trader);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await page.getByRole("button", { name: "Add account" }).click();
  const form = page.getByRole("form", { name: "Account form" });
  await form.getByLabel("Name").fill("Tara Desk");
  await form.getByLabel("Host URL").fill(`${SIM.http}/i/${DESK.id}`);
  await form.getByLabel("WebSocket URL").fill(SIM.ws);
  await form.getByLabel("API key").fill(DESK.apiKey);
  await form.getByRole("button", { name: "Test and link" }).click();
  await expect(page.getByTestId("account-row-Tara Desk")).toContainText("₹1,62,49,454.00");
  await signOut(page);

  // A MARKET order at Tara's broker: the Orders page shows "MKT" as its price and the broker's fill price as Avg.
  const placed = await request.post(`${SIM.http}/i/${DESK.id}/api/v1/placeorder`, {
    data: {
      apikey: DESK.apiKey,
      strategy: "e2e",
      exchange: "NSE",
      symbol: "SBIN",
      action: "BUY",
      quantity: "5",
      pricetype: "MARKET",
      product: "MIS",
    },
  });
  const { orderid } = (await placed.json()) as { orderid: string };
  const tradebook = await request.post(`${SIM.http}/i/${DESK.id}/api/v1/tradebook`, { data: { apikey: DESK.apiKey } });
  const fills = (
    (await tradebook.json()) as { data: { orderid: string; average_price: number | string }[] }
  ).data.filter((t) => t.orderid === orderid);
  expect(fills).toHaveLength(1);
  const avg = `₹${new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2 }).format(Number(fills[0].average_price))}`;

  // The admin attaches the viewer to Tara on the users page.
  await signInToDashboard(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  const attach = page.getByTestId(`viewer-traders-${viewer.email}`);
  await expect(attach).toContainText("No traders");
  await attach.locator("summary").click();
  // Save is disabled until something changes, and looks it: greyed, not the enabled white button.
  const save = attach.getByRole("button", { name: "Save" });
  const background = () => save.evaluate((b) => getComputedStyle(b).backgroundColor);
  await expect(save).toBeDisabled();
  expect(await background()).not.toBe("rgb(255, 255, 255)");
  await attach.getByLabel(`${viewer.email} reads ${trader.email}`).check();
  await expect(save).toBeEnabled();
  await expect.poll(background).toBe("rgb(255, 255, 255)");
  await save.click();
  await expect(attach.locator("summary")).toHaveText(trader.name);
  await page.screenshot({ path: testInfo.outputPath("users-viewer-attached.png"), fullPage: true });
  await signOut(page);

  await signInToDashboard(page, viewer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  const rows = page.locator('tr[data-testid^="account-row-"]');
  await expect(rows).toHaveCount(1);
  const row = page.getByTestId("account-row-Tara Desk");
  // Tara's live funds, as the viewer's own API calls read them (the order above used some margin).
  const inr = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  await expect
    .poll(async () => {
      const funds = (await (await page.request.get("/api/books/funds")).json()) as {
        accounts: { accountName: string; data?: { availableMargin: string } }[];
      };
      expect(funds.accounts.map((a) => a.accountName)).toEqual(["Tara Desk"]);
      const expected = `₹${inr.format(Number(funds.accounts[0].data!.availableMargin))}`;
      const shown = await row.locator("td").nth(4).innerText();
      return shown === expected ? "match" : JSON.stringify({ shown, expected });
    })
    .toBe("match");
  await expect(page.getByRole("button", { name: "Add account" })).toHaveCount(0);
  await expect(row.getByRole("button")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("viewer-accounts.png"), fullPage: true });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
  const order = page.getByTestId("order-row").filter({ hasText: orderid });
  await expect(order).toHaveCount(1);
  await expect(order.locator("td").nth(7)).toHaveText("MKT");
  await expect(order.locator("td").nth(8)).toHaveText(avg);
  await expect(order.getByRole("button")).toHaveCount(0);
  await expect(page.getByTestId("book-total")).toHaveText("1 order · 0 working · 0 rejected");

  // Writes are refused for the role (not for a missing header): same-origin JSON, the viewer's own session.
  const { accounts } = (await (await page.request.get("/api/accounts")).json()) as {
    accounts: { id: string; name: string }[];
  };
  expect(accounts.map((a) => a.name)).toEqual(["Tara Desk"]);
  const headers = { origin: baseURL!, "content-type": "application/json" };
  const writes = [
    await page.request.patch(`/api/accounts/${accounts[0].id}`, { headers, data: { name: "Mine now" } }),
    await page.request.delete(`/api/accounts/${accounts[0].id}`, { headers }),
    await page.request.delete(`/api/accounts/${accounts[0].id}/orders/${orderid}`, { headers }),
  ];
  for (const res of writes) {
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("Your role is read-only");
  }
  expect(
    ((await (await page.request.get(`/api/accounts/${accounts[0].id}`)).json()) as { account: { name: string } })
      .account.name,
  ).toBe("Tara Desk");
});
