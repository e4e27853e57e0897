package com.cobotchat.simulator;

import com.cobotchat.web.Templates;
import io.vertx.ext.web.RoutingContext;

/** The simulated Cobot member area that frames a navigation link's iFrame page. */
final class HostPage {
  private final CobotSimulator sim;
  private final SimState state;
  private final Templates templates;
  private final SimulatorOptions options;

  HostPage(CobotSimulator sim, SimState state, Templates templates, SimulatorOptions options) {
    this.sim = sim;
    this.state = state;
    this.templates = templates;
    this.options = options;
  }

  void page(RoutingContext ctx) {
    SimHttp.text(ctx, 501, "host page follows");
  }

  void linkPage(RoutingContext ctx) {
    SimHttp.redirect(ctx, state.siteUrl() + "/host/" + ctx.pathParam("subdomain") + "?link=" + ctx.pathParam("id"));
  }

  void spaceHome(RoutingContext ctx) {
    SimHttp.redirect(ctx, state.siteUrl() + "/host/" + ctx.pathParam("subdomain"));
  }

  void asset(RoutingContext ctx) {
    SimHttp.error(ctx, 404, "not found");
  }
}
