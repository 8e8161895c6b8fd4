import type { Metadata } from "next";
import Link from "next/link";
import { currentUser } from "@/lib/auth/current-user";
import { EmptyState, PageHeader } from "@/components/ui/primitives";
import { HealthStrip } from "@/components/shell/health-strip";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await currentUser();
  return (
    <>
      <PageHeader title="Dashboard" description={`Signed in as ${user?.email} (${user?.role.toLowerCase()})`} />
      <div className="space-y-4">
        <HealthStrip />
        <EmptyState title="No trading accounts linked yet">
          P&amp;L, open positions and recent runs appear here once accounts are linked.{" "}
          <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href="/accounts">Accounts</Link>
        </EmptyState>
      </div>
    </>
  );
}
