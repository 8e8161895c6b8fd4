import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/primitives";
import { NotificationSettings } from "@/components/settings/notification-settings";

export const metadata: Metadata = { title: "Notifications" };

export default function NotificationSettingsPage() {
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Fills, rejections, risk triggers, account and readiness problems and the kill switch: in the app, on Telegram, by e-mail."
        actions={
          <Link className="text-sm text-indigo-600 underline dark:text-indigo-400" href="/settings">
            Settings
          </Link>
        }
      />
      <NotificationSettings />
    </>
  );
}
