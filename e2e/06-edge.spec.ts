import { expect, test } from "@playwright/test";
import { admin } from "./people";
import { signInToDashboard } from "./steps";

test("pages carry the security headers, render and hydrate under the CSP, and have a favicon", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto("/login");
  const headers = res!.headers();
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  // Signing in needs the hydrated client form; the dashboard then streams live data over same-origin requests.
  await signInToDashboard(page, admin);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(violations).toEqual([]);

  const favicon = await page.request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toMatch(/image\//);
  expect(await page.locator('link[rel="icon"]').count()).toBe(2);
});

test("a state-changing API call without our Origin is refused, with it accepted", async ({ page }) => {
  await signInToDashboard(page, admin);
  const foreign = await page.request.put("/api/settings/registration", { data: { open: false } });
  expect(foreign.status()).toBe(403);
  expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("CROSS_ORIGIN");
  const evil = await page.request.put("/api/settings/registration", {
    headers: { Origin: "https://evil.example" },
    data: { open: false },
  });
  expect(evil.status()).toBe(403);
  const own = await page.request.put("/api/settings/registration", {
    headers: { Origin: new URL(page.url()).origin },
    data: { open: false },
  });
  expect(own.status()).toBe(200);
  expect(await own.json()).toEqual({ open: false });
});
