"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { cx } from "@/components/ui/primitives";
import { formatDateTime } from "@/lib/format";
import type { NotificationListJson } from "@/lib/services/notifications";

export const NOTIFICATIONS_KEY = ["notifications", "IN_APP"] as const;

function BellIcon() {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="h-4 w-4">
      <path d="M10 2a5 5 0 0 0-5 5v2.6c0 .5-.2 1-.5 1.4L3.3 12.6A1 1 0 0 0 4.1 14h11.8a1 1 0 0 0 .8-1.4L15.5 11a2.3 2.3 0 0 1-.5-1.4V7a5 5 0 0 0-5-5Zm0 16a2.5 2.5 0 0 0 2.4-2H7.6A2.5 2.5 0 0 0 10 18Z" />
    </svg>
  );
}

/**
 * The in-app notifications: a bell with the unread count in the header, its list below it. The list follows the
 * user stream (a `notification` event re-reads it); opening it marks everything read, the new ones still highlighted.
 */
export function NotificationBell() {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const list = useQuery({
    queryKey: NOTIFICATIONS_KEY,
    queryFn: () => api<NotificationListJson>("/api/notifications?channel=IN_APP&limit=20"),
    refetchInterval: 60_000,
  });
  const markRead = useMutation({
    mutationFn: () => api<{ unread: number }>("/api/notifications/read", { body: { all: true } }),
    onSuccess: ({ unread }) =>
      qc.setQueryData<NotificationListJson>(NOTIFICATIONS_KEY, (old) => (old ? { ...old, unread } : old)),
  });
  const unread = list.data?.unread ?? 0;

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  function toggle() {
    setOpen((o) => !o);
    if (!open && unread > 0) markRead.mutate();
  }

  return (
    <div ref={box} className="relative">
      <button
        type="button"
        onClick={toggle}
        aria-expanded={open}
        aria-controls="notification-list"
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        className="relative rounded-md p-1.5 text-slate-600 ring-1 ring-slate-300 hover:bg-slate-100 dark:text-slate-300 dark:ring-slate-600 dark:hover:bg-slate-800"
      >
        <BellIcon />
        {unread > 0 ? (
          <span
            data-testid="unread-count"
            className="absolute -top-1.5 -right-1.5 min-w-4 rounded-full bg-rose-600 px-1 text-center text-[10px] leading-4 font-semibold text-white"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          id="notification-list"
          className="fixed inset-x-2 top-12 z-30 max-h-[70dvh] overflow-y-auto rounded-lg bg-white shadow-lg ring-1 ring-slate-200 sm:absolute sm:inset-x-auto sm:top-9 sm:right-0 sm:w-96 dark:bg-slate-900 dark:ring-slate-700"
        >
          <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2 text-xs dark:border-slate-800">
            <span className="font-semibold">Notifications</span>
            <Link href="/settings/notifications" className="text-indigo-600 underline dark:text-indigo-400">
              Channels and choices
            </Link>
          </div>
          {list.data?.notifications.length ? (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {list.data.notifications.map((n) => (
                <li key={n.id} className={cx("px-3 py-2 text-sm", !n.readAt && "bg-indigo-50 dark:bg-indigo-500/10")}>
                  <p className="font-medium">{n.title}</p>
                  <p className="line-clamp-3 text-xs whitespace-pre-line text-slate-600 dark:text-slate-400">
                    {n.body}
                  </p>
                  <p className="mt-0.5 text-[11px] text-slate-500">
                    {formatDateTime(n.sentAt ?? n.createdAt)}
                    {n.events > 1 ? ` · ${n.events} events` : ""}
                  </p>
                </li>
              ))}
            </ul>
          ) : (
            <p className="px-3 py-6 text-center text-sm text-slate-500">Nothing yet.</p>
          )}
        </div>
      ) : null}
    </div>
  );
}
