package com.cobotchat.sync;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The check that keeps the space token at home: a webhook payload URL is fetched only when it is
 * exactly {@code <the space's COBOT_SPACE_URL>/api/memberships/<id>} (same scheme, host, port and
 * path prefix, no query, no fragment, no user info). Anything else could send the token to
 * whoever forged the delivery.
 */
public final class PayloadUrl {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  private PayloadUrl() {
  }

  /** The membership id named by {@code url}, when it is a membership URL of the space at {@code spaceBase}. */
  public static Optional<String> membershipId(String spaceBase, String url) {
    if (url == null || url.length() > 2000) {
      return Optional.empty();
    }
    String prefix = spaceBase + "/api/memberships/";
    if (!url.startsWith(prefix)) {
      return Optional.empty();
    }
    String id = url.substring(prefix.length());
    return ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }
}
