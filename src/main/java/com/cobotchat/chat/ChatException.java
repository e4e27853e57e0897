package com.cobotchat.chat;

import io.vertx.pgclient.PgException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * An expected failure of a client request, answered with a typed {@code error} frame (SPEC 8) and
 * never closing the connection.
 */
public final class ChatException extends RuntimeException {
  /** The error codes of SPEC 8. */
  public enum Code {
    BAD_REQUEST, NOT_FOUND, FORBIDDEN, TOO_LARGE, RATE_LIMITED, UNAVAILABLE, INTERNAL;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Code code;
  private final long retryAfterMs;

  public ChatException(Code code, String message) {
    this(code, message, 0);
  }

  public ChatException(Code code, String message, long retryAfterMs) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  public Code code() {
    return code;
  }

  public long retryAfterMs() {
    return retryAfterMs;
  }

  public static ChatException badRequest(String message) {
    return new ChatException(Code.BAD_REQUEST, message);
  }

  public static ChatException notFound(String what) {
    return new ChatException(Code.NOT_FOUND, what + " not found");
  }

  public static ChatException forbidden(String message) {
    return new ChatException(Code.FORBIDDEN, message);
  }

  public static ChatException unavailable() {
    return new ChatException(Code.UNAVAILABLE, "the database is not reachable; retry");
  }

  /** Maps any failure to what the client may learn: its own code, {@code unavailable} for a lost database, else {@code internal}. */
  public static ChatException from(Throwable err) {
    if (err instanceof ChatException e) {
      return e;
    }
    if (isDatabaseDown(err)) {
      return unavailable();
    }
    return new ChatException(Code.INTERNAL, "internal error");
  }

  /** Whether a failure means PostgreSQL cannot be reached (as opposed to a bug or a rejected statement). */
  public static boolean isDatabaseDown(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof PgException pg) {
        String state = pg.getSqlState() == null ? "" : pg.getSqlState();
        return state.startsWith("08") || state.startsWith("57P") || state.startsWith("53");
      }
      if (t instanceof IOException || t instanceof TimeoutException || t instanceof io.vertx.core.VertxException
          || t instanceof io.netty.channel.ChannelException) {
        return true;
      }
      String name = t.getClass().getName();
      if (name.contains("Closed") || name.contains("Timeout") || name.contains("Connect")) {
        return true;
      }
    }
    return false;
  }
}
