package com.cobotchat.simulator;

/** A navigation link (iFrame page) as the simulator holds it. */
public record SimNavigationLink(String id, String subdomain, String clientId, String section, String label,
    String iframeUrl, boolean userEditable) {
}
