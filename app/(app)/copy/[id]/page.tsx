import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { CopyGroupView } from "@/components/copy/copy-group-view";

export const metadata: Metadata = { title: "Copy group" };

export default async function CopyGroupPage({ params }: { params: Promise<{ id: string }> }) {
  // The layout redirects too, but it renders alongside this page: without a session, stop here as well.
  const user = await currentUser();
  if (!user) redirect("/login");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  return <CopyGroupView groupId={id} canWrite={canWrite(user)} />;
}
