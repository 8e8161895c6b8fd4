import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { Nav } from "@/components/shell/nav";
import { AlertsBanner } from "@/components/shell/alerts-banner";
import { KillSwitchBanner } from "@/components/exits/kill-switch-banner";
import { LiveBridge } from "@/components/live/live-bridge";
import { allows } from "@/lib/auth/authorize";
import { canWrite } from "@/lib/auth/roles";

// Every signed-in page is rendered per request: the session and the data are live.
export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/login");
  return (
    <>
      <LiveBridge />
      <Nav user={user} />
      <KillSwitchBanner isAdmin={allows(user, "killSwitch.rearm")} />
      <AlertsBanner canDismiss={canWrite(user)} />
      <main className="mx-auto max-w-[1600px] px-4 py-4">{children}</main>
    </>
  );
}
