import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MirrorDesk", template: "%s · MirrorDesk" },
  description: "Multi-account copy trading for Indian F&O",
};

// Applies the saved theme (or the OS preference) before first paint, so there is no light flash in dark mode.
const themeScript = `try{var t=localStorage.getItem("md-theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en-IN" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen text-sm">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
