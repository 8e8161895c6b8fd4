import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nextBackoff, Supervisor, type SupervisorEvent } from "./supervisor";

const opts = { backoffMs: 1_000, maxBackoffMs: 30_000, stableAfterMs: 60_000 };
const idle = "setInterval(() => {}, 1000)";
let supervisor: Supervisor | undefined;
afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
});

/** Resolves with the next supervisor event matching `match` (no sleeping: driven by the child's own exit/spawn). */
function next(s: Supervisor, match: (e: SupervisorEvent) => boolean): Promise<SupervisorEvent> {
  return new Promise((resolve) => {
    const on = (e: SupervisorEvent) => {
      if (!match(e)) return;
      s.off("event", on);
      resolve(e);
    };
    s.on("event", on);
  });
}

/** True once `pid` is gone (or a zombie waiting to be reaped: it runs no code any more). */
function gone(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return true;
  try {
    return /^State:\s+Z/m.test(readFileSync(status, "utf8"));
  } catch {
    return true;
  }
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("restart backoff", () => {
  it("starts at the base, doubles after quick crashes up to the cap, and resets after a stable run", () => {
    expect(nextBackoff(0, 10, opts)).toBe(1_000);
    expect(nextBackoff(1_000, 10, opts)).toBe(2_000);
    expect(nextBackoff(16_000, 10, opts)).toBe(30_000);
    expect(nextBackoff(30_000, 10, opts)).toBe(30_000);
    expect(nextBackoff(30_000, 60_000, opts)).toBe(1_000);
  });
});

describe("supervisor", () => {
  it("restarts a killed service with a new process while the other service keeps running", async () => {
    const s = (supervisor = new Supervisor({ backoffMs: 5, stdio: "ignore" }));
    const started = (name: string, restarts: number) =>
      next(s, (e) => e.type === "started" && e.name === name && e.restarts === restarts);
    const worker0 = started("worker", 0);
    const web0 = started("web", 0);
    s.start({ name: "worker", command: process.execPath, args: ["-e", idle] });
    s.start({ name: "web", command: process.execPath, args: ["-e", idle] });
    const [w, web] = await Promise.all([worker0, web0]);
    if (w.type !== "started" || web.type !== "started") throw new Error("unreachable");

    const exited = next(s, (e) => e.type === "exited" && e.name === "worker");
    const restarted = started("worker", 1);
    process.kill(w.pid, "SIGKILL");
    expect(await exited).toEqual({
      type: "exited",
      name: "worker",
      pid: w.pid,
      code: null,
      signal: "SIGKILL",
      restartInMs: 5,
    });
    const again = await restarted;
    if (again.type !== "started") throw new Error("unreachable");
    expect(again.pid).not.toBe(w.pid);
    expect(s.pid("worker")).toBe(again.pid);
    expect(s.pid("web")).toBe(web.pid);
    expect(gone(web.pid)).toBe(false);

    // A service that keeps crashing backs off: 5 ms, then 10 ms.
    const second = next(s, (e) => e.type === "exited" && e.name === "worker");
    process.kill(again.pid, "SIGKILL");
    expect(await second).toMatchObject({ restartInMs: 10 });
  });

  it("stop() ends every process tree it started, grandchildren included, and restarts nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "md-supervisor-"));
    const pidFile = path.join(dir, "grandchild.pid");
    // The service starts a grandchild (as tsx and next do) and records its pid.
    const script = `const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(idle)}], { stdio: "ignore" });
      require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); ${idle}`;
    const s = (supervisor = new Supervisor({ backoffMs: 5, stdio: "ignore" }));
    const up = next(s, (e) => e.type === "started");
    s.start({ name: "web", command: process.execPath, args: ["-e", script] });
    const e = await up;
    if (e.type !== "started") throw new Error("unreachable");
    await until(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").length > 0, "the grandchild");
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(gone(grandchild)).toBe(false);

    const events: SupervisorEvent[] = [];
    s.on("event", (x) => events.push(x));
    await s.stop();
    expect(events).toEqual([
      { type: "exited", name: "web", pid: e.pid, code: null, signal: "SIGTERM", restartInMs: null },
    ]);
    await until(() => gone(e.pid) && gone(grandchild), "the process tree to end");
    expect(s.pid("web")).toBe(null);
  });
});
