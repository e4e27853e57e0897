package com.cobotchat.sso;

import io.vertx.core.MultiMap;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code cobot_*} query parameters Cobot adds to the iFrame URL. They are hints (which space's
 * authorize URL to use, whose sign-in to expect) and never identity: anyone can type them.
 * Malformed values are dropped.
 */
public record EmbedHints(String subdomain, String userId, String locale, String spaceId, String section, boolean embed) {
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");
  private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?");
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_./-]{1,64}");

  public static EmbedHints from(MultiMap params) {
    return new EmbedHints(
        match(SUBDOMAIN, params.get("cobot_subdomain")),
        match(USER_ID, params.get("cobot_user_id")),
        match(LOCALE, params.get("cobot_locale")),
        match(USER_ID, params.get("cobot_space_id")),
        match(WORD, params.get("cobot_section")),
        "true".equals(params.get("cobot_embed")));
  }

  /** Hints as stored with an OAuth state: the query string {@link #query()} produced. */
  public static EmbedHints fromQuery(String query) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          params.add(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    return from(params);
  }

  public EmbedHints withSubdomain(String sub) {
    return new EmbedHints(match(SUBDOMAIN, sub), userId, locale, spaceId, section, embed);
  }

  /** The hints as a query string (no leading {@code ?}), in a fixed order. */
  public String query() {
    Map<String, String> q = new LinkedHashMap<>();
    if (embed) {
      q.put("cobot_embed", "true");
    }
    q.put("cobot_subdomain", subdomain);
    q.put("cobot_user_id", userId);
    q.put("cobot_locale", locale);
    q.put("cobot_space_id", spaceId);
    q.put("cobot_section", section);
    return q.entrySet().stream().filter(e -> e.getValue() != null)
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** {@code /embed} with these hints and extra flags such as {@code auth_try=1}. */
  public String embedUrl(String... flags) {
    StringBuilder url = new StringBuilder("/embed");
    String q = query();
    String sep = "?";
    if (!q.isEmpty()) {
      url.append(sep).append(q);
      sep = "&";
    }
    for (String flag : flags) {
      url.append(sep).append(flag);
      sep = "&";
    }
    return url.toString();
  }

  /** The page language: the locale's language part, {@code en} by default. */
  public String lang() {
    return locale == null ? "en" : locale.split("[-_]")[0].toLowerCase(java.util.Locale.ROOT);
  }

  private static String match(Pattern p, String value) {
    return value != null && p.matcher(value).matches() ? value : null;
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
