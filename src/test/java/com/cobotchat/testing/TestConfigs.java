package com.cobotchat.testing;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.DatabaseUrl;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/** Configurations for nodes started inside tests: a free port, a given database, fixed test credentials. */
public final class TestConfigs {
  private TestConfigs() {
  }

  public static Map<String, String> env(DatabaseUrl db, int port) {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", Integer.toString(port));
    env.put("PUBLIC_URL", "http://127.0.0.1:" + port);
    env.put("DATABASE_URL", "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database());
    env.put("COBOT_CLIENT_ID", "test-client");
    env.put("COBOT_CLIENT_SECRET", "test-client-secret");
    env.put("COBOT_SITE", "http://127.0.0.1:9");
    env.put("COBOT_SPACE_URL", "http://127.0.0.1:9/space/{subdomain}");
    env.put("SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop");
    env.put("DATABASE_WAIT_SECONDS", "5");
    return env;
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
