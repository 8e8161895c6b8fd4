import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { AccountsPage } from "@/components/accounts/accounts-page";

export const metadata: Metadata = { title: "Accounts" };

export default async function Page() {
  const user = await currentUser();
  return <AccountsPage canWrite={!!user && canWrite(user)} />;
}
