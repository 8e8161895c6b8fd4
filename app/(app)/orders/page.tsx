import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/ui/primitives";

export const metadata: Metadata = { title: "Orders" };

export default function OrdersPage() {
  return (
    <>
      <PageHeader title="Orders" description="Order book across all linked accounts." />
      <EmptyState title="No orders to show">Orders are read live from linked accounts; link an account first.</EmptyState>
    </>
  );
}
