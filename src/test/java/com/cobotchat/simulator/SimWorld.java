package com.cobotchat.simulator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small seeded space for one test: an admin, two members with accounts, one member without an
 * account, an OAuth client. Subdomains are unique per simulator.
 */
final class SimWorld {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  static final String CLIENT_ID = "chat-client";
  static final String SECRET = "chat-secret";
  static final String REDIRECT = "http://127.0.0.1:9/auth/cobot/callback";

  final CobotSimulator sim;
  final SimSpace space;
  final SimMember admin;
  final SimMember anna;
  final SimMember ben;
  final String managedMembershipId;

  SimWorld(CobotSimulator sim) {
    this.sim = sim;
    sim.registerClient(CLIENT_ID, SECRET, REDIRECT);
    space = sim.createSpace("space" + COUNTER.incrementAndGet(), "Kaffeehaus Coworking");
    admin = sim.addMember(space.subdomain(), "Ada Admin", "Fixed Desk");
    sim.makeAdmin(space.subdomain(), admin.userId(), "Ada");
    anna = sim.addMember(space.subdomain(), "Anna Arendt", "Flex Desk");
    ben = sim.addMember(space.subdomain(), "Ben Becker", "Fixed Desk");
    managedMembershipId = sim.addMembership(space.subdomain(), null, "Carla Contact", "Flex Desk");
    sim.confirm(managedMembershipId);
  }

  String sub() {
    return space.subdomain();
  }

  String spaceApi(String path) {
    return sim.spaceUrl(sub()) + "/api" + path;
  }

  String site(String path) {
    return sim.siteUrl() + path;
  }

  String adminToken(String... scopes) {
    return sim.issueTokenFor(CLIENT_ID, admin.userId(), scopes);
  }
}
