import { expect, test } from "@playwright/test";

// One journey on a fresh database: the first person to register becomes the admin.
test.describe.configure({ mode: "serial" });

import { admin, viewer } from "./people";
import { signIn, signOut } from "./steps";

test("the first registered user becomes the admin and sees the dashboard", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByRole("link", { name: "Create one" }).click();
  await expect(page.getByText("You are the first user")).toBeVisible();
  await page.getByLabel("Name").fill(admin.name);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel(/Password/).fill(admin.password);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toBeVisible();
  await expect(page.getByText("ADMIN", { exact: true })).toBeVisible();
  // The live health strip turns green from the real database and Redis: one green badge per check the API reports.
  const health = (await (await page.request.get("/api/health")).json()) as {
    status: string;
    checks: Record<string, { ok: boolean }>;
  };
  expect([health.status, Object.keys(health.checks).sort()]).toEqual(["ok", ["database", "redis"]]);
  const strip = page.getByTestId("health-strip");
  await expect(strip.getByText(/^ok · \d+ ms$/)).toHaveCount(2);
  for (const name of ["database", "redis"])
    await expect(strip.locator("span", { hasText: name }).getByText(/^ok · \d+ ms$/)).toHaveCount(1);
  const shot = testInfo.outputPath("dashboard.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("dashboard", { path: shot, contentType: "image/png" });
});

test("sign out, a wrong password is refused clearly, the right one signs in", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard/);
  await signOut(page);

  await signIn(page, admin.email, "not-the-password");
  await expect(page.locator("main").getByRole("alert")).toHaveText("Email or password is incorrect");
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
});

test("an admin creates a viewer, who cannot open admin pages", async ({ page }, testInfo) => {
  await signIn(page, admin.email, admin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await page.getByLabel("Name").fill(viewer.name);
  await page.getByLabel("Email").fill(viewer.email);
  await page.getByLabel(/Initial password/).fill(viewer.password);
  await page.getByLabel("Role", { exact: true }).selectOption("VIEWER");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status")).toHaveText(`Created ${viewer.email}`);
  await expect(page.getByTestId(`user-row-${viewer.email}`)).toContainText("active");
  await page.screenshot({ path: testInfo.outputPath("admin-users.png"), fullPage: true });

  // Admin → System shows the live worker heartbeat: the one worker, seen moments ago, and its heartbeat moves on.
  await page.getByRole("link", { name: "System" }).click();
  type System = { workers: { id: string; at: string }[] };
  const system = async () => ((await (await page.request.get("/api/system")).json()) as System).workers;
  const [worker] = await system();
  expect((await system()).map((w) => w.id)).toEqual([worker.id]);
  const row = page.getByTestId("worker-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(worker.id);
  const seen = await row.locator("td").nth(1).innerText();
  expect(Number(/^(\d+)s ago$/.exec(seen.trim())?.[1] ?? "NaN")).toBeLessThan(30);
  await expect.poll(async () => (await system())[0].at, { timeout: 30_000 }).not.toBe(worker.at);
  await signOut(page);

  await signIn(page, viewer.email, viewer.password);
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByText("VIEWER", { exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByTestId("forbidden")).toContainText("403");
  const res = await page.request.get("/api/users");
  expect(res.status()).toBe(403);
});
