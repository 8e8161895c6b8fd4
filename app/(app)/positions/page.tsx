import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Positions" };

export default function PositionsPage() {
  return (
    <>
      <PageHeader title="Positions" description="Open positions across all linked accounts." />
      <EmptyState title="No positions to show">Positions are read live from linked accounts; link an account first.</EmptyState>
    </>
  );
}
