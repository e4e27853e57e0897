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

  private static Future<Optional<Space>> one(SqlClient client, String sql, Tuple args) {
    return client.preparedQuery(sql).execute(args)
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
  }

  static Space map(Row r) {
    return new Space(r.getLong("id"), r.getString("subdomain"), r.getString("cobot_id"), r.getString("name"),
        r.getString("custom_domain"), r.getBoolean("installed"));
  }
}
