import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Executions" };

export default function ExecutionsPage() {
  return (
    <>
      <PageHeader title="Executions" description="Every run: accounts × legs × slices, live." />
      <EmptyState title="No executions yet">Runs appear here once strategies can be executed.</EmptyState>
    </>
  );
}
