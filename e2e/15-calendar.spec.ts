import { expect, test, type Page } from "@playwright/test";
import { admin, SIM } from "./people";
import { sameOrigin, signIn } from "./steps";

// The admin's trading calendar (docs/calendar.md): a Muhurat session declared at the simulator reaches the page through
// "Refresh from OpenAlgo"; an override closes a trading day and is removed again; the page works at 390 px.
test.describe.configure({ mode: "serial" });

interface Day {
  date: string;
  weekday: number;
  sessions: Record<string, { closed: boolean; special: boolean }>;
}

const control = (page: Page, path: string, data: unknown) =>
  page.request.post(`${SIM.http}/_sim${path}`, { headers: { Authorization: `Bearer ${SIM.adminToken}` }, data });

/** This month's first Sunday and first regular NFO trading day, as the calendar API has them. */
async function daysOfThisMonth(page: Page): Promise<{ sunday: string; weekday: string }> {
  const view = (await (await page.request.get("/api/calendar")).json()) as { days: Day[] };
  const sunday = view.days.find((d) => d.weekday === 0)!.date;
  const weekday = view.days.find((d) => !d.sessions.NFO.closed && !d.sessions.NFO.special)!.date;
  return { sunday, weekday };
}

test("a Muhurat session from OpenAlgo shows on the calendar; an override closes a day and is removed", async ({
  page,
}, testInfo) => {
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard/);
  const { sunday, weekday } = await daysOfThisMonth(page);
  const declared = await control(page, "/market/special-session", {
    date: sunday,
    description: "Muhurat trading (e2e)",
    start: "18:00",
    end: "19:15",
  });
  expect(declared.status()).toBe(200);

  try {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Calendar" }).click();
    await expect(page.getByRole("heading", { name: "Trading calendar" })).toBeVisible();
    await expect(page.getByRole("tab", { name: "NFO" })).toHaveAttribute("aria-selected", "true");

    // Before the refresh the Sunday is a closed weekend; after it, OpenAlgo's special session.
    const sundayRow = page.getByTestId(`day-${sunday}`);
    await expect(sundayRow).toContainText("Weekend");
    await page.getByRole("button", { name: "Refresh from OpenAlgo" }).click();
    await expect(page.getByTestId("refresh-status")).toContainText("refreshed");
    await expect(sundayRow).toContainText("18:00–19:15");
    await expect(sundayRow).toContainText("Special session");
    await expect(sundayRow).toContainText("Muhurat trading (e2e)");
    await expect(sundayRow).toContainText("OpenAlgo");
    // MCX does not trade it.
    await page.getByRole("tab", { name: "MCX" }).click();
    await expect(sundayRow).toContainText("Weekend");
    await page.getByRole("tab", { name: "NFO" }).click();
    await page.screenshot({ path: testInfo.outputPath("calendar-desktop.png"), fullPage: true });

    // An override closes a regular trading day; a wrong window is refused naming the field first.
    const dayRow = page.getByTestId(`day-${weekday}`);
    await expect(dayRow).toContainText("Trading");
    await dayRow.getByRole("button", { name: "Override" }).click();
    const form = page.getByRole("form", { name: "Override a day" });
    await expect(form.getByLabel("Date (IST)")).toHaveValue(weekday);
    await form.getByLabel("Open (a session)").check();
    await form.getByLabel("Opens (IST)").fill("14:00");
    await form.getByLabel("Closes (IST)").fill("10:00");
    await form.getByLabel(/^Why/).fill("Exchange outage drill");
    await form.getByRole("button", { name: "Save override" }).click();
    await expect(form.getByText("must be after opensAt", { exact: true })).toBeVisible();
    await form.getByLabel("Closed all day").check();
    await form.getByRole("button", { name: "Save override" }).click();
    await expect(dayRow).toContainText("Holiday");
    await expect(dayRow).toContainText("Exchange outage drill");
    await expect(dayRow).toContainText("Admin");
    await expect(page.getByTestId(`override-${weekday}-NFO`)).toContainText("closed");

    // Phone width: the month and the override list still read.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sundayRow).toContainText("18:00–19:15");
    await expect(page.getByTestId(`override-${weekday}-NFO`)).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("calendar-390.png"), fullPage: true });
    await sundayRow.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath("calendar-390-sunday.png") });
    await page.setViewportSize({ width: 1280, height: 800 });

    await dayRow.getByRole("button", { name: "Remove override" }).click();
    await expect(dayRow).toContainText("Trading");
    await expect(page.getByTestId(`override-${weekday}-NFO`)).toHaveCount(0);
  } finally {
    await control(page, "/market/calendar/clear", {});
    await page.request.post("/api/calendar/refresh", { headers: sameOrigin(page) });
  }
});
