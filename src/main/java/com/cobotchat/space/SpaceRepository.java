package com.cobotchat.space;

import com.cobotchat.app.SecretKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/** Spaces: looked up by subdomain, id or webhook secret; created on first contact, installed by an admin. */
public final class SpaceRepository {
  private static final String COLUMNS = "id, subdomain, cobot_id, name, custom_domain, installed_at IS NOT NULL AND uninstalled_at IS NULL AS installed";

  private static final String BY_SUBDOMAIN = "SELECT " + COLUMNS + " FROM spaces WHERE subdomain = $1";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM spaces WHERE id = $1";
  private static final String BY_SECRET = "SELECT " + COLUMNS + " FROM spaces WHERE webhook_secret = $1";
  private static final String SPACE_TOKEN = "SELECT space_token FROM spaces WHERE id = $1";
  private static final String ENSURE = """
      INSERT INTO spaces (subdomain, cobot_id, name, custom_domain, webhook_secret)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (subdomain) DO UPDATE
        SET cobot_id = COALESCE(EXCLUDED.cobot_id, spaces.cobot_id),
            name = EXCLUDED.name,
            custom_domain = COALESCE(EXCLUDED.custom_domain, spaces.custom_domain)
      RETURNING """ + " " + COLUMNS;

  private static final String SYNC_COLUMNS = COLUMNS + """
      , space_token, webhook_secret, nav_link_url, nav_link_user_url, installed_at, uninstalled_at IS NOT NULL AS uninstalled,
      last_webhook_at, last_reconcile_at, last_sync_error""";
  private static final String SYNC_BY_ID = "SELECT " + SYNC_COLUMNS + " FROM spaces WHERE id = $1";
  private static final String SYNC_BY_SECRET = "SELECT " + SYNC_COLUMNS + " FROM spaces WHERE webhook_secret = $1";
  private static final String STORE_TOKEN = "UPDATE spaces SET space_token = $2 WHERE id = $1";
  private static final String SET_NAV_LINK = "UPDATE spaces SET nav_link_url = $2, nav_link_user_url = $3 WHERE id = $1";
  private static final String MARK_INSTALLED = """
      UPDATE spaces SET installed_at = CASE WHEN uninstalled_at IS NULL THEN COALESCE(installed_at, now()) ELSE now() END,
                        uninstalled_at = NULL, last_sync_error = NULL
       WHERE id = $1""";
  private static final String MARK_UNINSTALLED = """
      UPDATE spaces SET uninstalled_at = now(), space_token = NULL, nav_link_url = NULL, nav_link_user_url = NULL
       WHERE id = $1""";
  private static final String RECORD_WEBHOOK = "UPDATE spaces SET last_webhook_at = now() WHERE id = $1";
  private static final String RECORD_RECONCILE = "UPDATE spaces SET last_reconcile_at = now(), last_sync_error = $2 WHERE id = $1";
  private static final String RECORD_ERROR = "UPDATE spaces SET last_sync_error = $2 WHERE id = $1";
  private static final String DUE_FOR_RECONCILE = """
      SELECT id FROM spaces
       WHERE installed_at IS NOT NULL AND uninstalled_at IS NULL AND space_token IS NOT NULL
         AND (last_reconcile_at IS NULL OR last_reconcile_at < now() - make_interval(secs => $1))
         AND (sync_lease_until IS NULL OR sync_lease_until < now())
       ORDER BY last_reconcile_at NULLS FIRST, id""";
  private static final String TRY_LEASE = """
      UPDATE spaces SET sync_lease_owner = $2, sync_lease_until = now() + make_interval(secs => $3)
       WHERE id = $1 AND (sync_lease_until IS NULL OR sync_lease_until < now() OR sync_lease_owner = $2)
      RETURNING id""";
  private static final String RELEASE_LEASE = """
      UPDATE spaces SET sync_lease_owner = NULL, sync_lease_until = NULL WHERE id = $1 AND sync_lease_owner = $2""";

  private final Pool pool;

  public SpaceRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<Space>> findBySubdomain(String subdomain) {
    return one(pool, BY_SUBDOMAIN, Tuple.of(subdomain));
  }

  public Future<Optional<Space>> findById(long id) {
    return one(pool, BY_ID, Tuple.of(id));
  }

  public Future<Optional<Space>> findByWebhookSecret(String secret) {
    return one(pool, BY_SECRET, Tuple.of(secret));
  }

  /** The space's Cobot token as stored (AES-GCM sealed with the config's secret), or empty before install. */
  public Future<Optional<byte[]>> sealedSpaceToken(long spaceId) {
    return pool.preparedQuery(SPACE_TOKEN).execute(Tuple.of(spaceId)).map(rows -> rows.size() == 0
        ? Optional.<byte[]>empty()
        : Optional.ofNullable(rows.iterator().next().getBuffer(0)).map(b -> b.getBytes()));
  }

  /** Creates the space row on first contact (with a fresh webhook secret) or refreshes its name and ids. */
  public Future<Space> ensure(SqlClient client, String subdomain, String cobotId, String name, String customDomain) {
    return client.preparedQuery(ENSURE)
        .execute(Tuple.of(subdomain, cobotId, name, customDomain, SecretKeys.randomToken(24)))
        .map(rows -> map(rows.iterator().next()));
  }

  /** The install and sync state of a space, for the installer, the worker and the admin view. */
  public Future<Optional<SpaceSync>> syncState(long id) {
    return pool.preparedQuery(SYNC_BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(mapSync(rows.iterator().next())));
  }

  /** The space a webhook callback path belongs to, installed or not. */
  public Future<Optional<SpaceSync>> syncStateBySecret(String webhookSecret) {
    return pool.preparedQuery(SYNC_BY_SECRET).execute(Tuple.of(webhookSecret))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(mapSync(rows.iterator().next())));
  }

  /** Stores the sealed Cobot space token. */
  public Future<Void> storeToken(SqlClient client, long id, byte[] sealedToken) {
    return client.preparedQuery(STORE_TOKEN).execute(Tuple.of(id, io.vertx.core.buffer.Buffer.buffer(sealedToken))).mapEmpty();
  }

  public Future<Void> setNavLink(SqlClient client, long id, String url, String userUrl) {
    return client.preparedQuery(SET_NAV_LINK).execute(Tuple.of(id, url, userUrl)).mapEmpty();
  }

  /** Installed from now on (again, after an uninstall); keeps the first install time while installed. */
  public Future<Void> markInstalled(SqlClient client, long id) {
    return client.preparedQuery(MARK_INSTALLED).execute(Tuple.of(id)).mapEmpty();
  }

  /** Uninstalled: forgets the token and the link; the webhook secret stays so late deliveries get 410. */
  public Future<Void> markUninstalled(SqlClient client, long id) {
    return client.preparedQuery(MARK_UNINSTALLED).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> recordWebhook(long id) {
    return pool.preparedQuery(RECORD_WEBHOOK).execute(Tuple.of(id)).mapEmpty();
  }

  /** A finished reconciliation; {@code error} null when it succeeded. */
  public Future<Void> recordReconcile(long id, String error) {
    return pool.preparedQuery(RECORD_RECONCILE).execute(Tuple.of(id, error)).mapEmpty();
  }

  public Future<Void> recordSyncError(long id, String error) {
    return pool.preparedQuery(RECORD_ERROR).execute(Tuple.of(id, error)).mapEmpty();
  }

  /** Installed spaces not reconciled for {@code intervalSeconds} and not leased by anyone. */
  public Future<java.util.List<Long>> dueForReconcile(long intervalSeconds) {
    return pool.preparedQuery(DUE_FOR_RECONCILE).execute(Tuple.of((double) intervalSeconds))
        .map(rows -> { var out = new java.util.ArrayList<Long>(); rows.forEach(r -> out.add(r.getLong(0))); return out; });
  }

  /**
   * Takes (or renews, for the same owner) the space's sync lease: one install or reconciliation of a
   * space at a time across all nodes. False when someone else holds it.
   */
  public Future<Boolean> tryLease(long id, String owner, long seconds) {
    return pool.preparedQuery(TRY_LEASE).execute(Tuple.of(id, owner, (double) seconds)).map(rows -> rows.size() == 1);
  }

  public Future<Void> releaseLease(long id, String owner) {
    return pool.preparedQuery(RELEASE_LEASE).execute(Tuple.of(id, owner)).mapEmpty();
  }

  private static Future<Optional<Space>> one(SqlClient client, String sql, Tuple args) {
    return client.preparedQuery(sql).execute(args)
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
  }

  static SpaceSync mapSync(Row r) {
    io.vertx.core.buffer.Buffer token = r.getBuffer("space_token");
    return new SpaceSync(map(r), token == null ? null : token.getBytes(), r.getString("webhook_secret"),
        r.getString("nav_link_url"), r.getString("nav_link_user_url"), r.getOffsetDateTime("installed_at"),
        r.getBoolean("uninstalled"), r.getOffsetDateTime("last_webhook_at"), r.getOffsetDateTime("last_reconcile_at"),
        r.getString("last_sync_error"));
  }

  static Space map(Row r) {
    return new Space(r.getLong("id"), r.getString("subdomain"), r.getString("cobot_id"), r.getString("name"),
        r.getString("custom_domain"), r.getBoolean("installed"));
  }
}
