import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Option chain" };

export default function OptionChainPage() {
  return (
    <>
      <PageHeader title="Option chain" description="Live option chain from the primary account's feed." />
      <EmptyState title="The live option chain is not built yet">
        It will stream from the primary account's feed. Strategy legs (ATM, ITM/OTM, premium-near) already resolve
        against the primary account's option chain when you preview or execute.
      </EmptyState>
    </>
  );
}
