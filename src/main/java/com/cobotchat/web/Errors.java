package com.cobotchat.web;

import com.cobotchat.app.SecretKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become responses: a page or JSON with a reference id that matches the
 * log line, never a stack trace.
 */
public final class Errors {
  private static final Logger log = LoggerFactory.getLogger(Errors.class);
  private final Templates templates;

  public Errors(Templates templates) {
    this.templates = templates;
  }

  /** A failure handler for the router: maps {@code ctx.fail(status)} and exceptions to responses. */
  public void handle(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (ctx.failure() instanceof HttpProblem problem) {
      status = problem.status();
    }
    String reference = SecretKeys.randomToken(6);
    if (status >= 500) {
      log.atError().setCause(ctx.failure()).addKeyValue("reference", reference)
          .addKeyValue("method", ctx.request().method().name()).addKeyValue("path", ctx.request().path())
          .log("request failed");
    } else {
      log.atInfo().addKeyValue("reference", reference).addKeyValue("status", status)
          .addKeyValue("path", ctx.request().path()).log("request refused");
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    String message = ctx.failure() instanceof HttpProblem problem ? problem.getMessage() : defaultMessage(status);
    send(ctx, status, title(status), message, reference, null);
  }

  /** Sends an error as JSON to API callers and as a page to browsers. */
  public void send(RoutingContext ctx, int status, String title, String message, String reference, String retryUrl) {
    if (wantsJson(ctx)) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store")
          .end(new JsonObject().put("error", title).put("message", message).put("reference", reference).encode());
    } else {
      templates.send(ctx, status, "web/error.jte", new ErrorPage("en", status, title, message, reference, retryUrl));
    }
  }

  public void notFound(RoutingContext ctx) {
    ctx.fail(404);
  }

  private static boolean wantsJson(RoutingContext ctx) {
    String path = ctx.request().path();
    String accept = ctx.request().getHeader("Accept");
    return path.startsWith("/api/") || path.startsWith("/hooks/") || path.startsWith("/health/")
        || (accept != null && accept.contains("application/json") && !accept.contains("text/html"));
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Not signed in";
      case 403 -> "Not allowed";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 413 -> "Too large";
      case 429 -> "Too many requests";
      case 502, 503, 504 -> "Temporarily unavailable";
      default -> status >= 500 ? "Something went wrong" : "Request refused";
    };
  }

  private static String defaultMessage(int status) {
    return switch (status) {
      case 404 -> "There is nothing at this address.";
      case 403 -> "You do not have access to this page.";
      case 413 -> "The request was larger than this service accepts.";
      default -> status >= 500
          ? "The chat service had a problem. Please try again; if it keeps happening, tell your space's admin the reference below."
          : "The request could not be handled.";
    };
  }
}
