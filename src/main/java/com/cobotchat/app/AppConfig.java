package com.cobotchat.app;

import com.cobotchat.sync.SyncSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service's configuration, read once from the environment (names as in SPEC.md section 2)
 * and passed to constructors. {@link #fromEnv} throws {@link ConfigException} with a one-line
 * message naming the variable when a value is missing or malformed.
 *
 * @param port            HTTP port
 * @param publicUrl       external base URL, no trailing slash
 * @param database        PostgreSQL location
 * @param cobotClientId   OAuth2 client id (in demo mode the simulator's)
 * @param cobotClientSecret OAuth2 client secret
 * @param cobotSite       global Cobot host, no trailing slash
 * @param cobotSpaceUrl   template of a space host containing {@code {subdomain}}
 * @param frameAncestors  origins allowed to frame the chat
 * @param secret          signing and encryption keys
 * @param demo            whether the bundled simulator runs beside the service
 * @param databaseWaitSeconds how long start-up waits for PostgreSQL before giving up
 * @param sync            timings of the membership sync ({@code SYNC_*}, all optional)
 */
public record AppConfig(
    int port,
    String publicUrl,
    DatabaseUrl database,
    String cobotClientId,
    String cobotClientSecret,
    String cobotSite,
    String cobotSpaceUrl,
    List<String> frameAncestors,
    SecretKeys secret,
    boolean demo,
    int databaseWaitSeconds,
    SyncSettings sync) {

  public static final String DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/cobot_chat";

  public static AppConfig fromEnv(Map<String, String> env) {
    boolean demo = parseDemo(env.get("DEMO"));
    int port = parsePort("PORT", env.getOrDefault("PORT", "8080"));
    String publicUrl = parseBaseUrl("PUBLIC_URL", env.getOrDefault("PUBLIC_URL", "http://localhost:" + port));
    DatabaseUrl database = DatabaseUrl.parse(env.getOrDefault("DATABASE_URL", DEFAULT_DATABASE_URL));
    String cobotSite = parseBaseUrl("COBOT_SITE", env.getOrDefault("COBOT_SITE", "https://www.cobot.me"));
    String spaceUrl = env.getOrDefault("COBOT_SPACE_URL", "https://{subdomain}.cobot.me");
    if (!spaceUrl.contains("{subdomain}")) {
      throw new ConfigException("COBOT_SPACE_URL must contain {subdomain}, e.g. https://{subdomain}.cobot.me");
    }
    parseBaseUrl("COBOT_SPACE_URL", spaceUrl.replace("{subdomain}", "example"));
    List<String> ancestors = Arrays.stream(env.getOrDefault("FRAME_ANCESTORS", "https://*.cobot.me").split("[\\s,]+"))
        .filter(s -> !s.isBlank()).toList();
    for (String origin : ancestors) {
      if (!origin.matches("https?://[A-Za-z0-9*.:\\[\\]-]+")) {
        throw new ConfigException("FRAME_ANCESTORS has an invalid origin: " + origin);
      }
    }
    String clientId = blankToNull(env.get("COBOT_CLIENT_ID"));
    String clientSecret = blankToNull(env.get("COBOT_CLIENT_SECRET"));
    if (!demo && (clientId == null || clientSecret == null)) {
      throw new ConfigException("COBOT_CLIENT_ID and COBOT_CLIENT_SECRET are required "
          + "(register an OAuth2 app at https://dev.cobot.me/oauth2_clients), or set DEMO=true to try the bundled simulator");
    }
    String secretValue = blankToNull(env.get("SECRET_KEY"));
    SecretKeys secret;
    if (secretValue == null) {
      if (!demo) {
        throw new ConfigException("SECRET_KEY is required: at least 32 random characters, e.g. from `openssl rand -base64 48`");
      }
      secret = SecretKeys.generate();
    } else {
      secret = SecretKeys.from("SECRET_KEY", secretValue);
    }
    int wait = parseInt("DATABASE_WAIT_SECONDS", env.getOrDefault("DATABASE_WAIT_SECONDS", "30"), 0, 3600);
    return new AppConfig(port, publicUrl, database, clientId, clientSecret, cobotSite, spaceUrl,
        ancestors, secret, demo, wait, SyncSettings.fromEnv(env));
  }

  /** The space's host for a subdomain, e.g. {@code https://co-up.cobot.me}. */
  public String spaceBase(String subdomain) {
    return cobotSpaceUrl.replace("{subdomain}", subdomain);
  }

  /** The origin (scheme, host, port) of {@link #publicUrl}, as browsers send it in {@code Origin}. */
  public String publicOrigin() {
    URI uri = URI.create(publicUrl);
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  public boolean secureCookies() {
    return publicUrl.startsWith("https://");
  }

  /** A copy with the Cobot endpoints and credentials replaced, as demo mode does for the simulator. */
  public AppConfig withCobot(String site, String spaceUrl, String clientId, String clientSecret) {
    return new AppConfig(port, publicUrl, database, clientId, clientSecret, site, spaceUrl, frameAncestors,
        secret, demo, databaseWaitSeconds, sync);
  }

  public AppConfig withPort(int newPort, String newPublicUrl) {
    return new AppConfig(newPort, newPublicUrl, database, cobotClientId, cobotClientSecret, cobotSite, cobotSpaceUrl,
        frameAncestors, secret, demo, databaseWaitSeconds, sync);
  }

  public AppConfig withFrameAncestors(List<String> origins) {
    return new AppConfig(port, publicUrl, database, cobotClientId, cobotClientSecret, cobotSite, cobotSpaceUrl,
        List.copyOf(origins), secret, demo, databaseWaitSeconds, sync);
  }

  public AppConfig withSync(SyncSettings settings) {
    return new AppConfig(port, publicUrl, database, cobotClientId, cobotClientSecret, cobotSite, cobotSpaceUrl,
        frameAncestors, secret, demo, databaseWaitSeconds, settings);
  }

  @Override
  public String toString() {
    return "AppConfig[port=" + port + ", publicUrl=" + publicUrl + ", database=" + database.describe()
        + ", cobotSite=" + cobotSite + ", cobotSpaceUrl=" + cobotSpaceUrl + ", demo=" + demo + "]";
  }

  private static boolean parseDemo(String value) {
    if (value == null || value.isBlank() || value.equalsIgnoreCase("false") || value.equals("0")) {
      return false;
    }
    if (value.equalsIgnoreCase("true") || value.equals("1")) {
      return true;
    }
    throw new ConfigException("DEMO must be true or false, not '" + value + "'");
  }

  private static int parsePort(String name, String value) {
    return parseInt(name, value, 0, 65535);
  }

  private static int parseInt(String name, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n < min || n > max) {
        throw new ConfigException(name + " must be between " + min + " and " + max + ", not " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a number, not '" + value + "'");
    }
  }

  private static String parseBaseUrl(String name, String value) {
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException(name + " must be an http(s) URL, not '" + value + "'");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException(name + " is not a valid URL: '" + value + "'");
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  private static String blankToNull(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank()).orElse(null);
  }
}
