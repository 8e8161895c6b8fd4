import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/current-user";
import { canWrite } from "@/lib/auth/roles";
import { Alert, PageHeader } from "@/components/ui/primitives";
import { StrategyBuilder } from "@/components/strategies/strategy-builder";

export const metadata: Metadata = { title: "New strategy" };

export default async function NewStrategyPage() {
  const user = await currentUser();
  if (!user || !canWrite(user)) {
    return (
      <>
        <PageHeader title="New strategy" />
        <Alert>Your role ({user?.role.toLowerCase()}) is read-only: it cannot create strategies.</Alert>
      </>
    );
  }
  return <StrategyBuilder strategy={null} canWrite />;
}
