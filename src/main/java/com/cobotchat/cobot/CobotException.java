package com.cobotchat.cobot;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call to Cobot. {@link #status()} is the HTTP status, or 0 when Cobot did not answer
 * (timeout, connection refused). Messages name the operation, never a token or code.
 */
public final class CobotException extends RuntimeException {
  private final String operation;
  private final int status;
  private final Duration retryAfter;

  public CobotException(String operation, int status, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, true);
    this.operation = operation;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** What was called, e.g. {@code GET memberships}. */
  public String operation() {
    return operation;
  }

  /** HTTP status, 0 when there was no answer. */
  public int status() {
    return status;
  }

  /** For 429: how long Cobot asked to wait ({@code Retry-After}). */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public boolean isNotFound() {
    return status == 404;
  }

  public boolean isConflict() {
    return status == 409;
  }

  public boolean isRateLimited() {
    return status == 429;
  }

  /** 401 or 403: the token is invalid, revoked or lacks the scope or admin rights. */
  public boolean isUnauthorized() {
    return status == 401 || status == 403;
  }

  /** No answer in time, a connection failure, or a 5xx: worth retrying later. */
  public boolean isTransient() {
    return status == 0 || status >= 500 || status == 429;
  }
}
