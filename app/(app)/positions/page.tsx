import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { LivePositions } from "@/components/positions/live-positions";

export const metadata: Metadata = { title: "Positions" };

export default async function Page() {
  const user = await currentUser();
  return <LivePositions canWrite={!!user && canWrite(user)} />;
}
