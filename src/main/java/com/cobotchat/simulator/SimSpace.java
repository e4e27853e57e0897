package com.cobotchat.simulator;

/** A space in the simulator, as created by {@link CobotSimulator#createSpace}. */
public record SimSpace(String id, String subdomain, String name, String customDomain) {
}
