import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { registrationState } from "@/lib/services/users";
import { RegisterForm } from "@/components/auth/register-form";

export const metadata: Metadata = { title: "Create account" };

export default async function RegisterPage() {
  if (await currentUser()) redirect("/dashboard");
  const { open, firstUser } = await registrationState();
  return <RegisterForm open={open} firstUser={firstUser} />;
}
