package com.cobotchat.space;

import java.time.OffsetDateTime;

/**
 * The install and sync state of a space row: what the installer, the webhook receiver, the worker and
 * the admin view need beyond {@link Space}.
 *
 * @param sealedToken    the Cobot space token, AES-GCM sealed ({@code SecretKeys.encrypt}); null when not installed
 * @param webhookSecret  the unguessable path segment of this space's webhook callbacks
 * @param uninstalled    true once an admin uninstalled the chat (deliveries then get 410)
 */
public record SpaceSync(Space space, byte[] sealedToken, String webhookSecret, String navLinkUrl, String navLinkUserUrl,
                        OffsetDateTime installedAt, boolean uninstalled, OffsetDateTime lastWebhookAt,
                        OffsetDateTime lastReconcileAt, String lastSyncError) {

  @Override
  public String toString() {
    return "SpaceSync[" + space.subdomain() + ", installed=" + space.installed() + "]";
  }
}
