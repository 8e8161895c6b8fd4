import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { allows } from "@/lib/auth/authorize";
import { canWrite } from "@/lib/auth/roles";
import { PageHeader } from "@/components/ui/primitives";
import { RiskPage } from "@/components/exits/risk-page";

export const metadata: Metadata = { title: "Risk" };

export default async function Page() {
  const user = await currentUser();
  return (
    <>
      <PageHeader
        title="Risk"
        description="Kill switch, live runs under risk rules, strategy positions with P&L, and exits."
      />
      <RiskPage canWrite={!!user && canWrite(user)} isAdmin={!!user && allows(user, "killSwitch.rearm")} />
    </>
  );
}
