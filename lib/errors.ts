/** Typed application errors. Edges translate them to HTTP once (lib/http); nothing matches on message text. */
export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "BROKER_REJECTED"
  | "CREDENTIAL_UNREADABLE"
  | "BROKER_UNAVAILABLE"
  | "BROKER_AUTH"
  | "BROKER_VALIDATION"
  | "KILL_SWITCH"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "CROSS_ORIGIN"
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
  constructor(message = "You do not have permission to do this", fields?: Record<string, string[]>) {
    super("FORBIDDEN", 403, message, fields);
  }
}
/** A request body larger than the route accepts (checked on Content-Length and while reading). */
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    const size = limitBytes >= 1024 ? `${Math.floor(limitBytes / 1024)} KB` : `${limitBytes} bytes`;
    super("PAYLOAD_TOO_LARGE", 413, `Request body too large: at most ${size} is accepted`);
  }
}
/** A state-changing request whose body is not JSON (forms and text/plain posts are how cross-site requests look). */
export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super("UNSUPPORTED_MEDIA_TYPE", 415, "Send the request body as JSON (Content-Type: application/json)");
  }
}
/** A state-changing request that did not come from MirrorDesk's own pages (cross-site request forgery defence). */
export class CrossOriginError extends AppError {
  constructor() {
    super(
      "CROSS_ORIGIN",
      403,
      "Cross-origin request refused: state-changing requests must come from MirrorDesk's own pages",
    );
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
/**
 * A stored broker credential cannot be decrypted with the configured CREDENTIAL_KEYS (the key was changed or lost).
 * The account is unusable until the old key version is restored or its API key is entered again.
 */
export class CredentialUnreadableError extends AppError {
  constructor(what: string) {
    super(
      "CREDENTIAL_UNREADABLE",
      409,
      `The stored API key of ${what} cannot be decrypted with the configured CREDENTIAL_KEYS. Restore the key version it was saved with, or enter the API key again.`,
    );
  }
}

export class BrokerRejectedError extends AppError {
  constructor(message: string) {
    super("BROKER_REJECTED", 422, message);
  }
}
/** Why a broker could not be used: unreachable (connection refused / DNS), timeout, a 5xx, or an unparseable answer. */
export type UnavailableReason = "unreachable" | "timeout" | "server_error" | "bad_response";

export class BrokerUnavailableError extends AppError {
  constructor(
    message: string,
    readonly reason: UnavailableReason = "unreachable",
  ) {
    super("BROKER_UNAVAILABLE", 503, message);
  }
}

/**
 * The broker refused the credentials. OpenAlgo answers 403 "Invalid openalgo apikey" both for a wrong key and for a
 * valid key whose broker session expired (daily at 03:00 IST), so the two cannot be told apart: the user should log
 * in to the broker again and, if that does not help, check the key.
 */
export class BrokerAuthError extends AppError {
  constructor(message = "Broker session expired or API key invalid") {
    super("BROKER_AUTH", 424, message);
  }
}
/** The broker refused the request's shape (missing/unknown field, bad enum); `fields` names the offending fields. */
export class BrokerValidationError extends AppError {
  constructor(message: string, fields?: Record<string, string[]>) {
    super("BROKER_VALIDATION", 422, message, fields);
  }
}

/** New entries are refused while a kill switch covering their owner is engaged (until an admin re-arms it). */
export class KillSwitchError extends AppError {
  constructor(message: string) {
    super("KILL_SWITCH", 423, message);
  }
}
