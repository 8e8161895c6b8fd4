import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="text-xl font-semibold tracking-tight">MirrorDesk</div>
          <div className="text-xs text-slate-500 dark:text-slate-400">One signal, every account, exactly once.</div>
        </div>
        {children}
      </div>
    </main>
  );
}
