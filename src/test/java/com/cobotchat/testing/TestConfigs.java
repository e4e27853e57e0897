package com.cobotchat.testing;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.sso.MemberSignIn;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/** Configurations for nodes started inside tests: a free port, a given database, fixed test credentials. */
public final class TestConfigs {
  /** The OAuth client every test node is configured with. */
  public static final String CLIENT_ID = "test-client";
  public static final String CLIENT_SECRET = "test-client-secret";

  /** Sync timings short enough for tests: poll every 200 ms, retries from 100 ms up to 2 s. */
  public static final Map<String, String> FAST_SYNC = Map.of(
      "SYNC_POLL_MILLIS", "200", "SYNC_RETRY_BASE_MILLIS", "100", "SYNC_RETRY_MAX_SECONDS", "2");

  private TestConfigs() {
  }

  public static Map<String, String> env(DatabaseUrl db, int port) {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", Integer.toString(port));
    env.put("PUBLIC_URL", "http://127.0.0.1:" + port);
    env.put("DATABASE_URL", "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database());
    env.put("COBOT_CLIENT_ID", CLIENT_ID);
    env.put("COBOT_CLIENT_SECRET", CLIENT_SECRET);
    env.put("COBOT_SITE", "http://127.0.0.1:9");
    env.put("COBOT_SPACE_URL", "http://127.0.0.1:9/space/{subdomain}");
    env.put("SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop");
    env.put("DATABASE_WAIT_SECONDS", "5");
    return env;
  }

  /** Points {@code env} at the simulator's site and space hosts; returns it. */
  public static Map<String, String> talkingTo(Map<String, String> env, CobotSimulator sim) {
    env.put("COBOT_SITE", sim.siteUrl());
    env.put("COBOT_SPACE_URL", sim.spaceUrlTemplate());
    return env;
  }

  /** Registers the test OAuth client at the simulator, with the sign-in callback of the node at {@code publicUrl}. */
  public static void registerClient(CobotSimulator sim, String publicUrl) {
    sim.registerClient(CLIENT_ID, CLIENT_SECRET, publicUrl + MemberSignIn.CALLBACK_PATH);
  }

  public static AppConfig config(DatabaseUrl db) {
    return AppConfig.fromEnv(env(db, freePort()));
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
