import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { getStrategy } from "@/lib/services/strategies";
import { StrategyBuilder } from "@/components/strategies/strategy-builder";

export const metadata: Metadata = { title: "Strategy" };

export default async function StrategyPage({ params }: { params: Promise<{ id: string }> }) {
  // The layout redirects too, but it renders alongside this page: without a session, stop here as well.
  const user = await currentUser();
  if (!user) redirect("/login");
  const { id } = await params;
  const strategy = /^[0-9a-f-]{36}$/i.test(id)
    ? await getStrategy(user, id).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e)))
    : null;
  if (!strategy) notFound();
  return <StrategyBuilder strategy={strategy} canWrite={canWrite(user)} />;
}
