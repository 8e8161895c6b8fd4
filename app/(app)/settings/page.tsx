import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { PageHeader } from "@/components/ui/primitives";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { ApiKeysSection } from "@/components/settings/api-keys";
import { allows } from "@/lib/auth/authorize";
import { currentUser } from "@/lib/auth/current-user";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await currentUser();
  if (!user) redirect("/login");
  return (
    <>
      <PageHeader title="Settings" description="Your password and your API keys." />
      <div className="grid grid-cols-[minmax(0,1fr)] items-start gap-4 xl:grid-cols-[28rem_minmax(0,1fr)]">
        <ChangePasswordForm />
        <ApiKeysSection canTrade={allows(user, "apiKey.createTrade")} appUrl={env().APP_URL} />
      </div>
      <p className="mt-4 text-sm">
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/settings/notifications">
          Notifications
        </Link>{" "}
        — what you are told (fills, rejections, risk, accounts, the kill switch) in the app, on Telegram or by e-mail.
      </p>
      <p className="mt-2 text-sm">
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/api-docs">
          API reference
        </Link>{" "}
        — read the desk and trade from your own scripts with a personal API key.
      </p>
    </>
  );
}
