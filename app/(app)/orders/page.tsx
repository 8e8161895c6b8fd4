import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { AggregateBook } from "@/components/accounts/aggregate-book";

export const metadata: Metadata = { title: "Orders" };

export default async function Page() {
  const user = await currentUser();
  return <AggregateBook book="orders" canWrite={!!user && canWrite(user)} />;
}
