/** Typed application errors. Edges translate them to HTTP once (lib/http); nothing matches on message text. */
export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "BROKER_REJECTED"
  | "BROKER_UNAVAILABLE"
  | "INTERNAL";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields?: Record<string, string[]>) {
    super("BAD_REQUEST", 400, message, fields);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = "Sign in required") {
    super("UNAUTHENTICATED", 401, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "You do not have permission to do this") {
    super("FORBIDDEN", 403, message);
  }
}
export class NotFoundError extends AppError {
  constructor(what = "Resource") {
    super("NOT_FOUND", 404, `${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, fields?: Record<string, string[]>) {
    super("CONFLICT", 409, message, fields);
  }
}
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("RATE_LIMITED", 429, message);
  }
}
export class BrokerRejectedError extends AppError {
  constructor(message: string) {
    super("BROKER_REJECTED", 422, message);
  }
}
export class BrokerUnavailableError extends AppError {
  constructor(message: string) {
    super("BROKER_UNAVAILABLE", 503, message);
  }
}
