import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { PageHeader } from "@/components/ui/primitives";
import { HealthStrip } from "@/components/shell/health-strip";
import { Dashboard } from "@/components/dashboard/dashboard";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await currentUser();
  return (
    <>
      <PageHeader title="Dashboard" description={`Signed in as ${user?.email} (${user?.role.toLowerCase()})`} />
      <div className="space-y-4">
        <HealthStrip />
        <Dashboard canWrite={!!user && canWrite(user)} />
      </div>
    </>
  );
}
