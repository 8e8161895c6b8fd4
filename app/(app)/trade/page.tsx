import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { Ticket } from "@/components/trade/ticket";

export const metadata: Metadata = { title: "Trade" };

export default async function TradePage() {
  const user = await currentUser();
  return <Ticket canWrite={!!user && canWrite(user)} />;
}
