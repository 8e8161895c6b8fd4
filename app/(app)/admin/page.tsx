import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/primitives";
import { UsersAdmin } from "@/components/admin/users-admin";

export const metadata: Metadata = { title: "Admin · Users" };

export default function AdminUsersPage() {
  return (
    <>
      <PageHeader
        title="Users"
        description="Create people, change roles, deactivate, and open or close self-registration."
      />
      <UsersAdmin />
    </>
  );
}
