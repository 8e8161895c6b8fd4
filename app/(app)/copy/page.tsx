import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { CopyGroupsList } from "@/components/copy/copy-groups-list";

export const metadata: Metadata = { title: "Copy groups" };

export default async function CopyGroupsPage() {
  const user = await currentUser();
  return <CopyGroupsList canWrite={!!user && canWrite(user)} userId={user?.id ?? ""} />;
}
