"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { cx, Badge } from "@/components/ui/primitives";
import { ThemeToggle } from "@/components/shell/theme-toggle";

const LINKS = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/accounts", label: "Accounts" },
  { href: "/strategies", label: "Strategies" },
  { href: "/executions", label: "Executions" },
  { href: "/trade", label: "Trade" },
  { href: "/positions", label: "Positions" },
  { href: "/orders", label: "Orders" },
  { href: "/trades", label: "Trades" },
  { href: "/holdings", label: "Holdings" },
  { href: "/option-chain", label: "Option chain" },
  { href: "/risk", label: "Risk" },
];

export function Nav({ user }: { user: { name: string; email: string; role: string } }) {
  const pathname = usePathname();
  const [busy, setBusy] = useState(false);
  const links = user.role === "ADMIN" ? [...LINKS, { href: "/admin", label: "Admin" }] : LINKS;

  async function logout() {
    setBusy(true);
    await fetch("/api/logout", { method: "POST" });
    window.location.assign("/login");
  }

  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/95 backdrop-blur dark:border-slate-800 dark:bg-slate-950/95">
      <div className="flex h-11 items-center gap-4 px-4">
        <Link href="/dashboard" className="font-semibold tracking-tight">MirrorDesk</Link>
        <nav aria-label="Main" className="flex min-w-0 flex-1 items-center gap-0.5 overflow-x-auto">
          {links.map((l) => {
            const active = pathname === l.href || pathname.startsWith(l.href + "/");
            return (
              <Link
                key={l.href}
                href={l.href}
                aria-current={active ? "page" : undefined}
                className={cx(
                  "rounded px-2 py-1 whitespace-nowrap",
                  active ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
                )}
              >
                {l.label}
              </Link>
            );
          })}
        </nav>
        <ThemeToggle />
        <Link href="/settings" className="flex items-center gap-2 text-xs text-slate-600 hover:underline dark:text-slate-300" title={user.email}>
          <span>{user.name}</span>
          <Badge tone={user.role === "ADMIN" ? "blue" : user.role === "VIEWER" ? "slate" : "green"}>{user.role}</Badge>
        </Link>
        <button onClick={logout} disabled={busy} className="text-xs text-slate-500 hover:text-slate-900 dark:hover:text-white">
          Sign out
        </button>
      </div>
    </header>
  );
}
