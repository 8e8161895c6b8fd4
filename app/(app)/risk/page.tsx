import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Risk" };

export default function RiskPage() {
  return (
    <>
      <PageHeader title="Risk" description="Stops, targets, trailing and kill switch." />
      <EmptyState title="No risk rules yet">Risk monitoring arrives after fills and exits; no stop is active until then.</EmptyState>
    </>
  );
}
