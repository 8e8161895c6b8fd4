import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { getAccount } from "@/lib/services/accounts";
import { jsonify } from "@/lib/util/jsonify";
import { AccountDetail } from "@/components/accounts/account-detail";

export const metadata: Metadata = { title: "Account" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  // The layout redirects too, but it renders alongside this page: without a session, stop here as well.
  const user = await currentUser();
  if (!user) redirect("/login");
  const { id } = await params;
  const account = /^[0-9a-f-]{36}$/i.test(id)
    ? await getAccount(user, id).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e)))
    : null;
  if (!account) notFound();
  return <AccountDetail initial={jsonify(account)} canWrite={canWrite(user)} />;
}
