package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import com.cobotchat.cobot.CobotClient;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * OAuth round trips in flight. The {@code state} parameter is a signed reference to an
 * {@code oauth_states} row, which holds the PKCE verifier and what the round trip expects; it can
 * be used once, within {@link #LIFETIME}. The state also carries the attempt number of the loop
 * guard (how many automatic round trips this page load has made), covered by the signature.
 */
public final class OAuthStates {
  public static final Duration LIFETIME = Duration.ofMinutes(10);

  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private static final String CREATE = """
      WITH purged AS (DELETE FROM oauth_states WHERE expires_at < now() - interval '1 hour')
      INSERT INTO oauth_states (nonce, purpose, subdomain, expected_user_id, pkce_verifier, return_to, explicit_sign_in,
                                popup, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))""";
  private static final String CONSUME = """
      UPDATE oauth_states SET consumed_at = now()
       WHERE nonce = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > now()
      RETURNING subdomain, expected_user_id, pkce_verifier, return_to, explicit_sign_in, popup""";
  private static final String WHY = "SELECT consumed_at IS NOT NULL AS consumed, return_to, popup FROM oauth_states WHERE nonce = $1";

  /** What a round trip is for; the install flow (issue 6) uses {@code INSTALL}. */
  public enum Purpose {
    MEMBER, INSTALL;

    String db() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A started round trip: the {@code state} to send and the PKCE challenge derived from the stored verifier. */
  public record Started(String state, String codeChallenge) {
    @Override
    public String toString() {
      return "Started[hidden]";
    }
  }

  /** How a returned {@code state} checked out. */
  public enum Verdict { VALID, FORGED, REPLAYED, EXPIRED }

  /**
   * The result of {@link #consume}. For anything but {@code VALID} only {@code verdict},
   * {@code attempt} and the hints for a retry link are set (the hints are never identity).
   */
  public record Checked(Verdict verdict, int attempt, String subdomain, String expectedUserId, String verifier,
                        String returnTo, boolean explicit, boolean popup) {
    public boolean valid() {
      return verdict == Verdict.VALID;
    }

    @Override
    public String toString() {
      return "Checked[" + verdict + ", attempt=" + attempt + ", subdomain=" + subdomain + "]";
    }
  }

  private final Pool pool;
  private final SecretKeys keys;

  public OAuthStates(Pool pool, SecretKeys keys) {
    this.pool = pool;
    this.keys = keys;
  }

  /**
   * Records a round trip and returns the state to send. {@code returnTo} is whatever the callback
   * needs to continue (the member flow keeps the embed hints there); {@code explicit} says the person
   * asked for it (a click) rather than a page load starting it; {@code popup} that it runs in a
   * popup window whose result goes back to the iFrame.
   */
  public Future<Started> start(Purpose purpose, String subdomain, String expectedUserId, int attempt, String returnTo,
                               boolean explicit, boolean popup) {
    if (!SUBDOMAIN.matcher(subdomain).matches() || attempt < 1 || attempt > 9) {
      throw new IllegalArgumentException("bad subdomain or attempt");
    }
    String nonce = SecretKeys.randomToken(24);
    String verifier = SecretKeys.randomToken(48);
    String state = nonce + "." + attempt + "." + subdomain + "." + keys.sign(signed(purpose, nonce, attempt, subdomain));
    return pool.preparedQuery(CREATE)
        .execute(Tuple.from(new Object[] {nonce, purpose.db(), subdomain, expectedUserId, verifier, returnTo,
            explicit, popup, (double) LIFETIME.toSeconds()}))
        .map(rows -> new Started(state, CobotClient.pkceChallenge(verifier)));
  }

  /** Checks a returned state and uses it up; a second call with the same state says {@code REPLAYED}. */
  public Future<Checked> consume(Purpose purpose, String state) {
    String[] parts = state == null || state.length() > 300 ? new String[0] : state.split("\\.", -1);
    if (parts.length != 4 || !parts[1].matches("[1-9]")) {
      return Future.succeededFuture(new Checked(Verdict.FORGED, 0, hintSubdomain(parts), null, null, null, false, false));
    }
    String nonce = parts[0];
    int attempt = Integer.parseInt(parts[1]);
    String subdomain = parts[2];
    if (!SUBDOMAIN.matcher(subdomain).matches() || !keys.verify(signed(purpose, nonce, attempt, subdomain), parts[3])) {
      return Future.succeededFuture(new Checked(Verdict.FORGED, attempt, hintSubdomain(parts), null, null, null, false, false));
    }
    return pool.preparedQuery(CONSUME).execute(Tuple.of(nonce, purpose.db())).compose(rows -> {
      if (rows.size() == 1) {
        Row r = rows.iterator().next();
        return Future.succeededFuture(new Checked(Verdict.VALID, attempt, r.getString("subdomain"),
            r.getString("expected_user_id"), r.getString("pkce_verifier"), r.getString("return_to"),
            r.getBoolean("explicit_sign_in"), r.getBoolean("popup")));
      }
      return pool.preparedQuery(WHY).execute(Tuple.of(nonce)).map(why -> {
        if (why.size() == 0) {
          return new Checked(Verdict.EXPIRED, attempt, subdomain, null, null, null, false, false);
        }
        Row r = why.iterator().next();
        return new Checked(r.getBoolean("consumed") ? Verdict.REPLAYED : Verdict.EXPIRED, attempt, subdomain, null,
            null, r.getString("return_to"), false, r.getBoolean("popup"));
      });
    });
  }

  /**
   * What a returned state was issued for, by its signature alone (no database access, nothing used
   * up); empty when it is malformed or signed for no purpose. Lets the one callback route hand
   * install states to the install flow.
   */
  public java.util.Optional<Purpose> purposeOf(String state) {
    String[] parts = state == null || state.length() > 300 ? new String[0] : state.split("\\.", -1);
    if (parts.length != 4 || !parts[1].matches("[1-9]") || !SUBDOMAIN.matcher(parts[2]).matches()) {
      return java.util.Optional.empty();
    }
    int attempt = Integer.parseInt(parts[1]);
    for (Purpose purpose : Purpose.values()) {
      if (keys.verify(signed(purpose, parts[0], attempt, parts[2]), parts[3])) {
        return java.util.Optional.of(purpose);
      }
    }
    return java.util.Optional.empty();
  }

  private static String signed(Purpose purpose, String nonce, int attempt, String subdomain) {
    return "oauth-state|" + purpose.db() + "|" + nonce + "|" + attempt + "|" + subdomain;
  }

  private static String hintSubdomain(String[] parts) {
    return parts.length >= 3 && SUBDOMAIN.matcher(parts[2]).matches() ? parts[2] : null;
  }
}
