package com.cobotchat.web;

/** An expected failure with a status and a message safe to show to the user. */
public final class HttpProblem extends RuntimeException {
  private final int status;

  public HttpProblem(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
