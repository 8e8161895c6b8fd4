import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Accounts" };

export default function AccountsPage() {
  return (
    <>
      <PageHeader title="Accounts" description="Linked trading accounts (OpenAlgo instances): health, funds and P&L." />
      <EmptyState title="No trading accounts linked yet">Linking OpenAlgo accounts with encrypted API keys and live health checks is the next piece of work; nothing is shown here until a real account is linked.</EmptyState>
    </>
  );
}
