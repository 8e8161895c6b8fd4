import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/primitives";
import { SystemStatus } from "@/components/admin/system-status";

export const metadata: Metadata = { title: "Admin · System" };

export default function AdminSystemPage() {
  return (
    <>
      <PageHeader
        title="System"
        description="Dependencies, worker heartbeats and queue depths, refreshed every 5 seconds."
      />
      <SystemStatus />
    </>
  );
}
