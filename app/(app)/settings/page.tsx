import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/primitives";
import { ChangePasswordForm } from "@/components/auth/change-password-form";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Your profile and password." />
      <div className="max-w-md space-y-3">
        <ChangePasswordForm />
        <p className="text-sm">
          <Link className="text-indigo-600 underline dark:text-indigo-400" href="/api-docs">
            API reference
          </Link>{" "}
          — read the desk and trade from your own scripts with a personal API key.
        </p>
      </div>
    </>
  );
}
