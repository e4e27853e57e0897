package com.cobotchat.web;

import io.vertx.ext.web.RoutingContext;

/** Pages that belong to no capability: the landing page. */
public final class Pages {
  private final Templates templates;

  public Pages(Templates templates) {
    this.templates = templates;
  }

  public void home(RoutingContext ctx) {
    templates.send(ctx, 200, "web/home.jte", new HomePage("en"));
  }

  /** Model of the landing page. */
  public record HomePage(String lang) {
  }
}
