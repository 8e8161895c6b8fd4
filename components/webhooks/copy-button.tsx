"use client";

import { useState } from "react";
import { Button } from "@/components/ui/primitives";

/** Copies `text` to the clipboard; says "Copied" for a moment. `label` is the accessible name ("Copy webhook URL"). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <Button
      type="button"
      variant="secondary"
      aria-label={label}
      className="shrink-0 px-2 py-1 text-xs"
      onClick={async () => {
        await navigator.clipboard?.writeText(text).catch(() => undefined);
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? "Copied" : "Copy"}
    </Button>
  );
}
