import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { StrategiesList } from "@/components/strategies/strategies-list";

export const metadata: Metadata = { title: "Strategies" };

export default async function StrategiesPage() {
  const user = await currentUser();
  return <StrategiesList canWrite={!!user && canWrite(user)} />;
}
