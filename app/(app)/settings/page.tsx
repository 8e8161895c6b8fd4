import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/primitives";
import { ChangePasswordForm } from "@/components/auth/change-password-form";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Your profile and password." />
      <div className="max-w-md">
        <ChangePasswordForm />
      </div>
    </>
  );
}
