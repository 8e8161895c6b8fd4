import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/primitives";
import { OptionChain } from "@/components/option-chain/option-chain";

export const metadata: Metadata = { title: "Option chain" };

export default function OptionChainPage() {
  return (
    <>
      <PageHeader
        title="Option chain"
        description="Live chain from the primary account's feed: IV and greeks (Black-76), PCR and max pain. Click a bid to sell or an ask to buy."
      />
      <OptionChain />
    </>
  );
}
