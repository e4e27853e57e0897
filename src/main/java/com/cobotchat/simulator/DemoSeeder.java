package com.cobotchat.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * Seeds the demo space: "Kaffeehaus Coworking" ({@code demo}) with six members on two plans, one of
 * them the space admin and one without a Cobot user account (admin-managed, cannot sign in).
 */
public final class DemoSeeder {
  public static final String SUBDOMAIN = "demo";
  public static final String SPACE_NAME = "Kaffeehaus Coworking";

  /** What was seeded. */
  public record DemoSpace(SimSpace space, SimMember admin, List<SimMember> members) {
  }

  private DemoSeeder() {
  }

  public static DemoSpace seed(CobotSimulator sim) {
    SimSpace space = sim.createSpace(SUBDOMAIN, SPACE_NAME);
    SimMember admin = sim.addMember(SUBDOMAIN, "Lena Hoffmann", "Fixed Desk");
    sim.makeAdmin(SUBDOMAIN, admin.userId(), "Lena Hoffmann");
    List<SimMember> members = new ArrayList<>(List.of(admin));
    members.add(sim.addMember(SUBDOMAIN, "Jonas Weber", "Flex Desk"));
    members.add(sim.addMember(SUBDOMAIN, "Amira Haddad", "Fixed Desk"));
    members.add(sim.addMember(SUBDOMAIN, "Tomás Silva", "Flex Desk"));
    members.add(sim.addMember(SUBDOMAIN, "Mei Chen", "Flex Desk"));
    String managed = sim.addMembership(SUBDOMAIN, null, "Karl Brandt", "Flex Desk");
    sim.confirm(managed);
    members.add(new SimMember(null, managed, "Karl Brandt"));
    return new DemoSpace(space, admin, List.copyOf(members));
  }
}
