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

  // What a client-side navigation fetches (the page's RSC payload) carries the redirect and no server error: a page
  // that ran on without a user added an error digest next to the layout's redirect.
  const rsc = await page.request.get(path, { headers: { RSC: "1" } });
  expect(rsc.status()).toBe(200);
  const digests = [...(await rsc.text()).matchAll(/"digest":"([^"]*)"/g)].map((m) => m[1]);
  expect(digests.length).toBeGreaterThan(0);
  expect(digests.filter((d) => !/^NEXT_REDIRECT;[a-z]+;\/login;/.test(d))).toEqual([]);

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
