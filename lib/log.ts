import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "@/lib/env";

/** Paths scrubbed from every log line: secrets must never reach logs. */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "passwordHash",
  "*.passwordHash",
  "apiKey",
  "*.apiKey",
  "apikey",
  "*.apikey",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.cookie",
  "*.headers.cookie",
];

const holder = globalThis as unknown as { mirrordeskLog?: Logger; mirrordeskLogService?: string };

/** Names the process in every log line (`web`, `worker`, `simulator`); call before the first log(). */
export function setLogService(service: string): void {
  holder.mirrordeskLogService = service;
}

function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: holder.mirrordeskLogService ?? "web", pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Structured JSON logger shared by web and workers. */
export function log(): Logger {
  holder.mirrordeskLog ??= createLogger(env().LOG_LEVEL);
  return holder.mirrordeskLog;
}

/** Sends every log line at `level` and above to `destination` (tests read it back to prove secrets never appear). */
export function redirectLog(destination: DestinationStream, level = "trace"): void {
  holder.mirrordeskLog = createLogger(level, destination);
}
