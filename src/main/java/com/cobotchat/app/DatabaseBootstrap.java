package com.cobotchat.app;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Prepares PostgreSQL before the service serves: waits for the server with a visible countdown,
 * creates the database when it is missing and applies the migrations in {@code sql/} (Flyway).
 * Blocking; runs on the main thread before Vert.x work starts.
 */
public final class DatabaseBootstrap {
  private static final Logger log = LoggerFactory.getLogger(DatabaseBootstrap.class);
  private static final String UNDEFINED_DATABASE = "3D000";
  private static final String DUPLICATE_DATABASE = "42P04";

  private final DatabaseUrl url;
  private final int waitSeconds;
  private final Consumer<String> progress;

  public DatabaseBootstrap(DatabaseUrl url, int waitSeconds, Consumer<String> progress) {
    this.url = url;
    this.waitSeconds = waitSeconds;
    this.progress = progress;
  }

  /** Thrown when the database cannot be prepared; the message is one line for the operator. */
  public static final class StartupException extends RuntimeException {
    StartupException(String message) {
      super(message, null, false, false);
    }
  }

  public MigrateResult prepare() {
    waitForServer();
    createDatabaseIfMissing();
    MigrateResult result = Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations("classpath:db/migration")
        .loggers("slf4j")
        .load()
        .migrate();
    log.atInfo().addKeyValue("applied", result.migrationsExecuted).addKeyValue("version", result.targetSchemaVersion)
        .log("database migrations up to date");
    return result;
  }

  private void waitForServer() {
    long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
    int attempt = 0;
    while (true) {
      attempt++;
      try (Connection ignored = connect(url.withDatabase("postgres"))) {
        if (attempt > 1) {
          progress.accept("PostgreSQL at " + url.host() + ":" + url.port() + " is answering");
        }
        return;
      } catch (SQLException e) {
        if (isAuthFailure(e)) {
          throw new StartupException("PostgreSQL at " + url.host() + ":" + url.port() + " refused user '"
              + url.user() + "': " + firstLine(e));
        }
        long left = (deadline - System.nanoTime()) / 1_000_000_000L;
        if (left <= 0) {
          throw new StartupException("PostgreSQL at " + url.host() + ":" + url.port()
              + " did not answer within " + waitSeconds + " s (DATABASE_URL): " + firstLine(e));
        }
        long pause = Math.min(2, left);
        progress.accept("waiting for PostgreSQL at " + url.host() + ":" + url.port() + " (attempt " + attempt
            + ", giving up in " + left + " s): " + firstLine(e));
        sleep(pause);
      }
    }
  }

  private void createDatabaseIfMissing() {
    try (Connection ignored = connect(url)) {
      return;
    } catch (SQLException e) {
      if (!UNDEFINED_DATABASE.equals(e.getSQLState())) {
        throw new StartupException("cannot open database " + url.describe() + ": " + firstLine(e));
      }
    }
    if (!url.database().matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new StartupException("database " + url.database() + " is missing and its name is not a plain identifier; create it by hand");
    }
    try (Connection c = connect(url.withDatabase("postgres")); var st = c.createStatement()) {
      st.execute("CREATE DATABASE " + url.database());
      progress.accept("created database " + url.database());
    } catch (SQLException e) {
      if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
        throw new StartupException("cannot create database " + url.database() + ": " + firstLine(e));
      }
    }
  }

  private static Connection connect(DatabaseUrl target) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", target.user());
    if (target.password() != null) {
      p.setProperty("password", target.password());
    }
    p.setProperty("connectTimeout", "3");
    p.setProperty("ApplicationName", "cobot-chat");
    return DriverManager.getConnection(target.jdbcUrl(), p);
  }

  private static boolean isAuthFailure(SQLException e) {
    return "28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState());
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static void sleep(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while waiting for PostgreSQL");
    }
  }
}
