/**
 * The simulator process entry point (workers/simulator.ts) as a supervisor runs it: environment in, one JSON line
 * with the URLs out, demo instances reachable with the keys the app's seed derives, graceful exit 0 on SIGTERM.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { demoApiKey } from "./demo";

describe("workers/simulator.ts", () => {
  it("starts the demo instances, logs its URLs and exits 0 on SIGTERM", async () => {
    const token = "worker-test-token";
    const child = spawn(process.execPath, ["--import", "tsx", "workers/simulator.ts"], {
      env: { ...process.env, SIM_ADMIN_TOKEN: token, SIM_HTTP_PORT: "0", SIM_WS_PORT: "0", SIM_DEMO_INSTANCES: "3", SIM_RATE_LIMIT_ORDER: "25 per second" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const started = await new Promise<{ httpUrl: string; wsUrl: string; instances: string[] }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const msg = JSON.parse(line);
        if (msg.msg === "simulator listening") resolve(msg);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
    });
    expect(started.instances).toEqual(["demo1", "demo2", "demo3"]);
    expect(started.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const funds = await fetch(`${started.httpUrl}/api/v1/funds`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ apikey: demoApiKey(token, 3) }),
    });
    expect((await funds.json()).data.availablecash).toBe("5000000.00");
    // SIM_RATE_LIMIT_ORDER reached the limiter: the 26th invalid order in a burst is refused with that text.
    const burst = await Promise.all(
      Array.from({ length: 26 }, () =>
        fetch(`${started.httpUrl}/api/v1/placeorder`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ apikey: demoApiKey(token, 1) }) }).then(async (r) => ({ status: r.status, text: await r.text() })),
      ),
    );
    expect(burst.filter((r) => r.status === 429).map((r) => r.text)).toEqual(['{"message": "25 per 1 second"}\n']);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
