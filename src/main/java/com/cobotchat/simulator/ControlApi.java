package com.cobotchat.simulator;

import io.vertx.ext.web.Router;

/** JSON control surface under {@code /_sim/} used by the demo host page. */
final class ControlApi {
  private final CobotSimulator sim;
  private final SimState state;

  ControlApi(CobotSimulator sim, SimState state) {
    this.sim = sim;
    this.state = state;
  }

  void mount(Router router) {
  }
}
