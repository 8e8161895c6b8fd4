import pino, { type Logger } from "pino";
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

/** Structured JSON logger shared by web and workers. */
export function log(): Logger {
  holder.mirrordeskLog ??= pino({
    level: env().LOG_LEVEL,
    base: { service: holder.mirrordeskLogService ?? "web", pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return holder.mirrordeskLog;
}
