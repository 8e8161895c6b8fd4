import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/primitives";
import { AuditLog } from "@/components/admin/audit-log";

export const metadata: Metadata = { title: "Admin · Audit log" };

export default function AdminAuditPage() {
  return (
    <>
      <PageHeader title="Audit log" description="Append-only record of sign-ins, user changes and settings." />
      <AuditLog />
    </>
  );
}
