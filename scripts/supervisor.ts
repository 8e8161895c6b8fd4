/**
 * A small process supervisor for `npm run demo`: starts each service in its own process group, restarts one that
 * exits on its own (with exponential backoff, reset once it has stayed up for a while), and on `stop()` ends every
 * process tree it started — first SIGTERM, then SIGKILL after a grace period. A crashed worker or web app therefore
 * comes back by itself (its runs recover through the worker's start-up recovery) instead of ending the whole demo.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";

export interface ServiceSpec {
  name: string;
  command: string;
  args: readonly string[];
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface SupervisorOptions {
  /** First restart delay, ms; doubled after each quick crash. */
  backoffMs?: number;
  /** Longest restart delay, ms. */
  maxBackoffMs?: number;
  /** A process that stayed up this long (ms) counts as healthy again: its next restart starts from `backoffMs`. */
  stableAfterMs?: number;
  /** SIGTERM → SIGKILL grace on stop, ms. */
  killAfterMs?: number;
  /** Where the children's output goes (default: inherited). */
  stdio?: "inherit" | "ignore";
}

export type SupervisorEvent =
  | { type: "started"; name: string; pid: number; restarts: number }
  | {
      type: "exited";
      name: string;
      pid: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      restartInMs: number | null;
    };

interface Running {
  spec: ServiceSpec;
  child: ChildProcess | null;
  restarts: number;
  delayMs: number;
  startedAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Next restart delay: doubles after a quick crash, back to the base after a stable run. */
export function nextBackoff(
  previousMs: number,
  upForMs: number,
  opts: Required<Pick<SupervisorOptions, "backoffMs" | "maxBackoffMs" | "stableAfterMs">>,
): number {
  if (upForMs >= opts.stableAfterMs || previousMs <= 0) return opts.backoffMs;
  return Math.min(opts.maxBackoffMs, previousMs * 2);
}

export class Supervisor extends EventEmitter<{ event: [SupervisorEvent] }> {
  private readonly services = new Map<string, Running>();
  private stopping = false;
  private readonly opts: Required<SupervisorOptions>;

  constructor(opts: SupervisorOptions = {}) {
    super();
    this.opts = {
      backoffMs: 1_000,
      maxBackoffMs: 30_000,
      stableAfterMs: 60_000,
      killAfterMs: 10_000,
      stdio: "inherit",
      ...opts,
    };
  }

  start(spec: ServiceSpec): void {
    if (this.services.has(spec.name)) throw new Error(`service ${spec.name} already supervised`);
    const running: Running = { spec, child: null, restarts: 0, delayMs: 0, startedAt: 0, timer: null };
    this.services.set(spec.name, running);
    this.launch(running);
  }

  /** The pid of a service's current process (null while it is between restarts). */
  pid(name: string): number | null {
    return this.services.get(name)?.child?.pid ?? null;
  }

  private launch(r: Running): void {
    r.timer = null;
    if (this.stopping) return;
    // detached: the child leads its own process group, so stop() can signal its whole tree (tsx, next, ...).
    const child = spawn(r.spec.command, [...r.spec.args], {
      cwd: r.spec.cwd,
      ...(r.spec.env ? { env: r.spec.env } : {}),
      stdio: this.opts.stdio,
      detached: true,
    });
    r.child = child;
    r.startedAt = Date.now();
    child.once("spawn", () =>
      this.emit("event", { type: "started", name: r.spec.name, pid: child.pid!, restarts: r.restarts }),
    );
    child.once("error", () => undefined); // reported through "exit" (or the spawn never happened: retried below)
    child.once("close", (code, signal) => {
      // A spawn failure closes without a pid; treat it like a crash.
      if (r.child === child) r.child = null;
      // Whatever the leader left behind in its group goes too, so a restart never races a leftover.
      if (child.pid) signalGroup(child.pid, "SIGKILL");
      let restartInMs: number | null = null;
      if (!this.stopping) {
        r.delayMs = nextBackoff(r.delayMs, Date.now() - r.startedAt, this.opts);
        restartInMs = r.delayMs;
        r.restarts += 1;
        r.timer = setTimeout(() => this.launch(r), restartInMs);
      }
      this.emit("event", { type: "exited", name: r.spec.name, pid: child.pid ?? -1, code, signal, restartInMs });
    });
  }

  /** Stops restarting and ends every process tree (SIGTERM, then SIGKILL after the grace period). */
  async stop(): Promise<void> {
    this.stopping = true;
    const waits: Promise<void>[] = [];
    for (const r of this.services.values()) {
      if (r.timer) clearTimeout(r.timer);
      const child = r.child;
      if (!child?.pid || child.exitCode !== null || child.signalCode !== null) continue;
      const pid = child.pid;
      waits.push(
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => signalGroup(pid, "SIGKILL"), this.opts.killAfterMs);
          child.once("close", () => {
            clearTimeout(kill);
            resolve();
          });
          signalGroup(pid, "SIGTERM");
        }),
      );
    }
    await Promise.all(waits);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
