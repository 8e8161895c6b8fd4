/**
 * A local SMTP server process for tests (never used by product code), run by lib/testing/smtp-sink.ts: the
 * `smtp-server` package of the nodemailer project, plain SMTP with AUTH PLAIN/LOGIN for one user (given as arguments),
 * no STARTTLS. Every message it accepts is written to stdout as one JSON line, parsed with mailparser. A line on stdin
 * switches its mode: `accept`, `busy` (421 on MAIL FROM: come back later) or `refuse` (550 on RCPT TO: no such
 * mailbox); it answers `{"type":"mode"}`.
 *
 * Usage: tsx lib/testing/smtp-sink-process.ts <user> <password>
 */
import { createInterface } from "node:readline";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

const [user, password] = process.argv.slice(2);
let mode: "accept" | "busy" | "refuse" = "accept";
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

const server = new SMTPServer({
  disabledCommands: ["STARTTLS"],
  allowInsecureAuth: true,
  authMethods: ["PLAIN", "LOGIN"],
  logger: false,
  onAuth(auth, _session, cb) {
    if (auth.username === user && auth.password === password) return cb(null, { user: auth.username });
    cb(smtpError(535, "Authentication credentials invalid"));
  },
  onMailFrom(_address, _session, cb) {
    if (mode === "busy") return cb(smtpError(421, "Service not available, try again later"));
    cb();
  },
  onRcptTo(_address, _session, cb) {
    if (mode === "refuse") return cb(smtpError(550, "Mailbox unavailable"));
    cb();
  },
  onData(stream, session, cb) {
    simpleParser(stream)
      .then((mail) => {
        say({
          type: "message",
          user: session.user ?? null,
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          from: mail.from?.text ?? null,
          subject: mail.subject ?? null,
          text: mail.text ?? null,
          at: Date.now(),
        });
        cb();
      })
      .catch((err: Error) => cb(err));
  },
});

server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  say({ type: "listening", port: typeof address === "object" && address ? address.port : 0 });
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const next = line.trim();
  if (next === "accept" || next === "busy" || next === "refuse") mode = next;
  say({ type: "mode", mode });
});
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
