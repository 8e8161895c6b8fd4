import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

/** Starts the built web app with one variable removed; resolves with its exit code and output (or null: still up). */
function startWithout(variable: string, port: number): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env };
  delete env[variable];
  const child = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: null, output });
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("the web app refuses to start without its credential key, naming the variable", async () => {
  const { code, output } = await startWithout("CREDENTIAL_KEYS", 3197);
  expect(code, output).toBe(1);
  expect(output).toContain("CREDENTIAL_KEYS is required");
});
