import { expect, test } from "@playwright/test";

// An account page rendered without a session must stop at the redirect: before it did, the page itself ran on
// with no user and failed with a TypeError while the layout redirected.
test("an account page opened without a session lands on sign-in, with no error on the server or the page", async ({
  page,
}) => {
  const path = "/accounts/00000000-0000-4000-8000-000000000000";
  // The server answers with the redirect itself, not an error page.
  const direct = await page.request.get(path, { maxRedirects: 0 });
  expect(direct.status()).toBe(307);
  expect(direct.headers()["location"]).toMatch(/\/login$/);

  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const res = await page.goto(path);
  await expect(page).toHaveURL(/\/login$/);
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText(/Application error|Something went wrong/i)).toHaveCount(0);
  expect(errors).toEqual([]);
});
