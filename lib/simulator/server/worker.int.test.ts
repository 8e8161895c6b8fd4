/**
 * The simulator process entry point (workers/simulator.ts) as a supervisor runs it: environment in, one JSON line
 * with the URLs out, demo instances reachable with the keys the app's seed derives, graceful exit 0 on SIGTERM.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { submitLoginPage } from "@/lib/testing/upstox-sim-login";
import { demoApiKey, demoDirectApp, DEMO_DIRECT_BROKERS } from "./demo";

/** Starts workers/simulator.ts with `env`; resolves with its "listening" line, or rejects with its exit code. */
function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/simulator.ts"], {
    env: { ...process.env, SIM_HTTP_PORT: "0", SIM_WS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = new Promise<{ httpUrl: string; instances: string[]; autoLoginAt: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const msg = JSON.parse(line);
      if (msg.msg === "simulator listening") resolve(msg);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, exited, started, stderr: () => stderr };
}

describe("workers/simulator.ts", () => {
  it("starts the demo instances, logs its URLs and exits 0 on SIGTERM", async () => {
    const token = "worker-test-token";
    const child = spawn(process.execPath, ["--import", "tsx", "workers/simulator.ts"], {
      env: {
        ...process.env,
        SIM_ADMIN_TOKEN: token,
        SIM_HTTP_PORT: "0",
        SIM_WS_PORT: "0",
        SIM_DEMO_INSTANCES: "3",
        SIM_RATE_LIMIT_ORDER: "25 per second",
        APP_URL: "http://127.0.0.1:3999",
      },
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
    expect(started.instances).toEqual([
      "demo1",
      "demo2",
      "demo3",
      "demozerodha",
      "demoupstox",
      "demofyers",
      "demodhan",
      "demoangel",
    ]);
    // A direct demo app logs in with the keys the seed derives, and its login page sends the browser to APP_URL.
    const upstox = DEMO_DIRECT_BROKERS.find((b) => b.kind === "upstox")!;
    const { apiKey, appSecret } = demoDirectApp(token, upstox);
    const callback = "http://127.0.0.1:3999/api/brokers/upstox/callback";
    const back = await submitLoginPage(
      { hostUrl: `${started.httpUrl}/upstox`, apiKey, apiSecret: appSecret },
      callback,
      "state-w1",
    );
    expect(`${back.origin}${back.pathname}`).toBe(callback);
    expect(back.searchParams.get("state")).toBe("state-w1");
    expect(back.searchParams.get("code")).toBeTruthy();
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
        fetch(`${started.httpUrl}/api/v1/placeorder`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ apikey: demoApiKey(token, 1) }),
        }).then(async (r) => ({ status: r.status, text: await r.text() })),
      ),
    );
    expect(burst.filter((r) => r.status === 429).map((r) => r.text)).toEqual(['{"message": "25 per 1 second"}\n']);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("gives each demo instance its SIM_FAULTS (keyed by instance id) and the 08:45 morning login", async () => {
    const token = "worker-test-token";
    const faults = {
      "*": { latencyMs: 5 },
      demo2: { lostResponseRate: 1, lostResponseMode: "hang" },
      demo3: { latencyMs: 0, wsDropAfterMs: 30000 },
    };
    const w = startWorker({ SIM_ADMIN_TOKEN: token, SIM_DEMO_INSTANCES: "3", SIM_FAULTS: JSON.stringify(faults) });
    const started = await w.started;
    expect(started.autoLoginAt).toBe("08:45");
    const res = await fetch(`${started.httpUrl}/_sim/instances`, { headers: { Authorization: `Bearer ${token}` } });
    const instances = (await res.json()).instances as {
      id: string;
      autoLoginAt: string;
      faults: Record<string, unknown>;
    }[];
    expect(
      instances.map((i) => [
        i.id,
        i.autoLoginAt,
        i.faults.latencyMs,
        i.faults.lostResponseRate,
        i.faults.lostResponseMode,
        i.faults.wsDropAfterMs,
      ]),
    ).toEqual([
      ["demo1", "08:45", 5, 0, "reset", 0],
      ["demo2", "08:45", 5, 1, "hang", 0],
      ["demo3", "08:45", 0, 0, "reset", 30000],
      // The direct brokers' instances get the faults too, and no morning login: their trader logs in.
      ...DEMO_DIRECT_BROKERS.map((b) => [b.id, null, 5, 0, "reset", 0]),
    ]);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  });

  it("refuses to start when SIM_FAULTS names an instance that does not exist", async () => {
    const w = startWorker({
      SIM_ADMIN_TOKEN: "worker-test-token",
      SIM_DEMO_INSTANCES: "2",
      SIM_FAULTS: '{"demo7":{"latencyMs":5}}',
    });
    await expect(w.started).rejects.toThrow(/SIM_FAULTS names instances that do not exist: demo7/);
    expect(await w.exited).toBe(1);
  });
});
