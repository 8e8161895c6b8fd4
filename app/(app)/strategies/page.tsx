import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Strategies" };

export default function StrategiesPage() {
  return (
    <>
      <PageHeader title="Strategies" description="Multi-leg strategies sized per account from margin and quality grade." />
      <EmptyState title="No strategies yet">The strategy builder arrives with the strategy engine. Nothing will be placed from this page until then.</EmptyState>
    </>
  );
}
