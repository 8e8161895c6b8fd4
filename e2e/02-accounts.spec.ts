import { expect, test } from "@playwright/test";
import { demoApiKey } from "@/lib/simulator/server/demo";
import { admin, SIM } from "./people";
import { signIn } from "./steps";

test("link an account: a wrong key is refused clearly, the right one shows funds, and a simulator order appears on Orders", async ({
  page,
  request,
}, testInfo) => {
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await expect(page.getByText("No trading accounts linked yet")).toBeVisible();

  await page.getByRole("button", { name: "Add account" }).click();
  const form = page.getByRole("form", { name: "Account form" });
  await form.getByLabel("Name").fill("Sim One");
  await form.getByLabel("Host URL").fill(`${SIM.http}/i/demo1`);
  await form.getByLabel("WebSocket URL").fill(SIM.ws);
  await form.getByLabel("API key").fill("this-is-not-the-key");
  await form.getByRole("button", { name: "Test and link" }).click();
  await expect(form.getByRole("alert")).toContainText("OpenAlgo refused the API key");
  await expect(form.getByText("Refused by OpenAlgo (wrong key or expired broker session)")).toBeVisible();

  const key = demoApiKey(SIM.adminToken, 1);
  await form.getByLabel("API key").fill(key);
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByRole("status")).toContainText("Connected: simulator");
  await form.getByRole("button", { name: "Test and link" }).click();

  const row = page.getByTestId("account-row-Sim One");
  await expect(row).toContainText("connected");
  await expect(row).toContainText("★ primary");
  await expect(row).toContainText(`••••${key.slice(-4)}`);
  // Funds arrive live from the simulator: demo1 has ₹5 lakh.
  await expect(row).toContainText("₹5,00,000.00");
  await page.screenshot({ path: testInfo.outputPath("accounts.png"), fullPage: true });

  // An order placed at the broker (outside MirrorDesk) shows up on the aggregated Orders page.
  const placed = await request.post(`${SIM.http}/i/demo1/api/v1/placeorder`, {
    data: {
      apikey: key,
      strategy: "e2e",
      exchange: "NSE",
      symbol: "SBIN",
      action: "BUY",
      quantity: "7",
      pricetype: "LIMIT",
      price: "1",
      product: "MIS",
    },
  });
  const { orderid } = await placed.json();
  expect(orderid).toBeTruthy();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
  const order = page.getByTestId("order-row").filter({ hasText: orderid });
  await expect(order).toContainText("Sim One");
  await expect(order).toContainText("SBIN");
  await expect(order).toContainText("open");
  await page.screenshot({ path: testInfo.outputPath("orders.png"), fullPage: true });

  // Cancel it from MirrorDesk; the row turns cancelled without a reload.
  await order.getByRole("button", { name: "Cancel" }).click();
  await expect(order).toContainText("cancelled");
});
