package com.cobotchat.simulator;

/** A webhook subscription as the simulator holds it. */
public record SimSubscription(String id, String subdomain, String clientId, String event, String callbackUrl,
    boolean active) {
}
