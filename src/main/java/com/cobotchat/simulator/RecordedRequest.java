package com.cobotchat.simulator;

import java.time.Instant;

/** A request the simulator received (control API excluded); {@code token} is the bearer token sent, or null. */
public record RecordedRequest(String method, String path, String query, String token, int status, Instant at) {
}
