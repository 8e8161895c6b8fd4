"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { cx, Badge } from "@/components/ui/primitives";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { NotificationBell } from "@/components/shell/notification-bell";

const LINKS = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/accounts", label: "Accounts" },
  { href: "/readiness", label: "Readiness" },
  { href: "/strategies", label: "Strategies" },
  { href: "/copy", label: "Copy" },
  { href: "/executions", label: "Executions" },
  { href: "/trade", label: "Trade" },
  { href: "/positions", label: "Positions" },
  { href: "/orders", label: "Orders" },
  { href: "/trades", label: "Trades" },
  { href: "/holdings", label: "Holdings" },
  { href: "/option-chain", label: "Option chain" },
  { href: "/risk", label: "Risk" },
];

const linkClass = (active: boolean) =>
  cx(
    "rounded whitespace-nowrap",
    active
      ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900"
      : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
  );

/**
 * The app header. Wide screens show every link in one row; below the `lg` breakpoint a Menu button opens the same
 * links as a full-width list (Risk and the kill switch must be reachable from a phone).
 */
export function Nav({ user }: { user: { name: string; email: string; role: string } }) {
  const pathname = usePathname();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const links = user.role === "ADMIN" ? [...LINKS, { href: "/admin", label: "Admin" }] : LINKS;
  const isActive = (href: string) => pathname === href || pathname.startsWith(href + "/");
  // Navigating closes the phone menu.
  useEffect(() => setOpen(false), [pathname]);

  async function logout() {
    setBusy(true);
    await fetch("/api/logout", { method: "POST" });
    window.location.assign("/login");
  }

  const who = (
    <Link
      href="/settings"
      className="flex min-w-0 items-center gap-2 text-xs text-slate-600 hover:underline dark:text-slate-300"
      title={`${user.name} (${user.email})`}
    >
      {/* Below 2xl the name gives its room to the links (the e-mail and name stay in the tooltip). */}
      <span className="hidden truncate 2xl:inline">{user.name}</span>
      <Badge tone={user.role === "ADMIN" ? "blue" : user.role === "VIEWER" ? "slate" : "green"}>{user.role}</Badge>
    </Link>
  );
  const signOut = (
    <button
      onClick={logout}
      disabled={busy}
      className="text-xs whitespace-nowrap text-slate-500 hover:text-slate-900 disabled:opacity-50 dark:hover:text-white"
    >
      Sign out
    </button>
  );

  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/95 backdrop-blur dark:border-slate-800 dark:bg-slate-950/95">
      <div className="flex h-11 items-center gap-3 px-4">
        <Link href="/dashboard" className="font-semibold tracking-tight">
          MirrorDesk
        </Link>
        <nav
          aria-label="Main"
          className="hidden min-w-0 flex-1 items-center gap-0.5 overflow-x-auto text-sm lg:flex 2xl:text-base"
        >
          {links.map((l) => (
            <Link
              key={l.href}
              href={l.href}
              aria-current={isActive(l.href) ? "page" : undefined}
              className={cx(linkClass(isActive(l.href)), "px-1 py-1 2xl:px-2")}
            >
              {l.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto lg:ml-0">
          <NotificationBell />
        </div>
        <div className="hidden items-center gap-2 lg:flex 2xl:gap-4">
          <ThemeToggle />
          {who}
          {signOut}
        </div>
        <button
          type="button"
          className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 lg:hidden dark:ring-slate-600"
          aria-expanded={open}
          aria-controls="phone-menu"
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Close" : "Menu"}
        </button>
      </div>
      {open ? (
        <div
          id="phone-menu"
          className="max-h-[calc(100dvh-2.75rem)] overflow-y-auto border-t border-slate-200 px-4 py-3 lg:hidden dark:border-slate-800"
        >
          <nav aria-label="Phone" className="grid grid-cols-2 gap-1 text-sm">
            {links.map((l) => (
              <Link
                key={l.href}
                href={l.href}
                aria-current={isActive(l.href) ? "page" : undefined}
                className={cx(linkClass(isActive(l.href)), "px-3 py-2")}
              >
                {l.label}
              </Link>
            ))}
          </nav>
          <div className="mt-3 flex items-center gap-4 border-t border-slate-200 pt-3 dark:border-slate-800">
            {who}
            <ThemeToggle />
            <span className="ml-auto">{signOut}</span>
          </div>
        </div>
      ) : null}
    </header>
  );
}
