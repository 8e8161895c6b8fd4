import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Option chain" };

export default function OptionChainPage() {
  return (
    <>
      <PageHeader title="Option chain" description="Live option chain from the primary account's feed." />
      <EmptyState title="No market-data source">The option chain streams from the primary linked account; link an account first.</EmptyState>
    </>
  );
}
