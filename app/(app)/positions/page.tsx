import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { AggregateBook } from "@/components/accounts/aggregate-book";

export const metadata: Metadata = { title: "Positions" };

export default async function Page() {
  const user = await currentUser();
  return <AggregateBook book="positions" canWrite={!!user && canWrite(user)} />;
}
