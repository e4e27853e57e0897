package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Page tokens: what the chat page carries instead of (or besides) the session cookie, so it works
 * when the browser drops third-party cookies. A page token names a session (by its hash), expires
 * after {@link #LIFETIME} and is signed; it is only as good as the session row behind it, which is
 * checked in the database on every use.
 */
public final class PageTokens {
  public static final Duration LIFETIME = Duration.ofHours(1);
  private static final String PREFIX = "pt1";

  private final SecretKeys keys;
  private final Clock clock;

  public PageTokens(SecretKeys keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
  }

  /** A page token for the session with this hash. */
  public String issue(String sessionHash) {
    long expires = clock.instant().plus(LIFETIME).getEpochSecond();
    String body = PREFIX + "." + sessionHash + "." + expires;
    return body + "." + keys.sign("page-token|" + body);
  }

  /** The session hash a page token names, or empty when it is malformed, forged or expired. */
  public Optional<String> sessionHash(String token) {
    if (token == null || token.length() > 200) {
      return Optional.empty();
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 4 || !PREFIX.equals(parts[0]) || !parts[1].matches("[0-9a-f]{64}") || !parts[2].matches("\\d{1,12}")) {
      return Optional.empty();
    }
    String body = parts[0] + "." + parts[1] + "." + parts[2];
    if (!keys.verify("page-token|" + body, parts[3]) || Long.parseLong(parts[2]) <= clock.instant().getEpochSecond()) {
      return Optional.empty();
    }
    return Optional.of(parts[1]);
  }
}
