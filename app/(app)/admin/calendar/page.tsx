import type { Metadata } from "next";
import { CalendarAdmin } from "@/components/admin/calendar-admin";

export const metadata: Metadata = { title: "Admin · Trading calendar" };

// The admin layout refuses non-admins; the calendar API checks again for overrides and refreshes.
export default function AdminCalendarPage() {
  return <CalendarAdmin />;
}
