package com.cobotchat.testing;

import com.cobotchat.app.DatabaseUrl;

import java.sql.DriverManager;
import java.util.Locale;
import java.util.UUID;

/** Fresh, uniquely named databases on the local PostgreSQL, so test classes never see each other's rows. */
public final class TestDatabases {
  public static final String SERVER = System.getenv().getOrDefault("TEST_DATABASE_URL",
      "postgresql://postgres@127.0.0.1:5432/postgres");

  private TestDatabases() {
  }

  /** A name for a database that does not exist yet; the service creates it at start-up. */
  public static DatabaseUrl fresh(String prefix) {
    String name = ("cc_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    return DatabaseUrl.parse(SERVER).withDatabase(name);
  }

  public static void drop(DatabaseUrl url) {
    DatabaseUrl admin = url.withDatabase("postgres");
    try (var c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
         var st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + url.database() + " WITH (FORCE)");
    } catch (Exception e) {
      throw new IllegalStateException("cannot drop test database " + url.database(), e);
    }
  }
}
