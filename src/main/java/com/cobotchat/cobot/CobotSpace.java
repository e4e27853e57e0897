package com.cobotchat.cobot;

/** A space as {@code GET /api/spaces/{subdomain}} describes it; {@code customDomain} may be null. */
public record CobotSpace(String id, String subdomain, String name, String url, String customDomain) {
}
