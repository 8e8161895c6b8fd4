import type { ReactNode } from "react";
import Link from "next/link";
import { currentUser } from "@/lib/auth/current-user";
import { allows } from "@/lib/auth/authorize";
import { Alert } from "@/components/ui/primitives";

/** Every admin page is refused on the server for non-admins (the API routes check again). */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user || !allows(user, "app.administer")) {
    return (
      <div className="mx-auto mt-12 max-w-md" data-testid="forbidden">
        <h1 className="mb-2 text-lg font-semibold">403 · Admins only</h1>
        <Alert>Your role ({user?.role.toLowerCase()}) cannot open admin pages.</Alert>
      </div>
    );
  }
  return (
    <div>
      <nav
        aria-label="Admin"
        className="mb-4 flex flex-wrap gap-x-3 gap-y-1 border-b border-slate-200 pb-2 text-sm dark:border-slate-800"
      >
        <Link href="/admin" className="hover:underline">
          Users
        </Link>
        <Link href="/admin/trading" className="hover:underline">
          Trading settings
        </Link>
        <Link href="/admin/calendar" className="hover:underline">
          Calendar
        </Link>
        <Link href="/admin/system" className="hover:underline">
          System
        </Link>
        <Link href="/admin/audit" className="hover:underline">
          Audit log
        </Link>
      </nav>
      {children}
    </div>
  );
}
