import type { Metadata } from "next";
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
    </>
  );
}
