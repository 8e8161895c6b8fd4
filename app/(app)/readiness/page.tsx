import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { allows } from "@/lib/auth/authorize";
import { ReadinessBoard } from "@/components/readiness/readiness-board";

export const metadata: Metadata = { title: "Readiness" };

export default async function Page() {
  const user = await currentUser();
  return <ReadinessBoard canWrite={!!user && allows(user, "readiness.run")} />;
}
