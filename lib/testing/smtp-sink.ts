/**
 * Starts the local SMTP server process (./smtp-sink-process.ts) for a test and reads what it received (never used
 * by product code). `url` is an SMTP_URL with the sink's credentials; `messages` fills as mail arrives.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";

export interface SunkMail {
  user: string | null;
  envelopeTo: string[];
  from: string | null;
  subject: string | null;
  text: string | null;
  at: number;
}

export async function startSmtpSink(user = "mirrordesk", password = "sink-password-123") {
  const script = path.join(import.meta.dirname, "smtp-sink-process.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script, user, password], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const messages: SunkMail[] = [];
  const waiters: ((line: { type: string; port?: number }) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    let msg: { type: string; port?: number } & Partial<SunkMail>;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.type === "message") messages.push(msg as unknown as SunkMail);
    for (const w of waiters.splice(0)) w(msg);
  });
  const next = (type: string) =>
    new Promise<{ type: string; port?: number }>((resolve, reject) => {
      const onExit = () => reject(new Error("the SMTP sink process exited"));
      child.once("exit", onExit);
      const wait = (m: { type: string; port?: number }) => {
        if (m.type !== type) return void waiters.push(wait);
        child.off("exit", onExit);
        resolve(m);
      };
      waiters.push(wait);
    });
  const { port } = await next("listening");
  return {
    port: port!,
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    messages,
    /** `accept` mail, answer `busy` (421, retry later), or `refuse` recipients (550). */
    async setMode(mode: "accept" | "busy" | "refuse") {
      const ack = next("mode");
      child.stdin.write(`${mode}\n`);
      await ack;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin.end();
      await exited;
    },
  };
}
