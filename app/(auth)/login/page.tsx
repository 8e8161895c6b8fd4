import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { isRegistrationOpen } from "@/lib/services/users";
import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ notice?: string }> }) {
  if (await currentUser()) redirect("/dashboard");
  const { notice } = await searchParams;
  return (
    <LoginForm
      registrationOpen={await isRegistrationOpen()}
      notice={notice === "password-changed" ? "Password changed. Sign in with your new password." : undefined}
    />
  );
}
