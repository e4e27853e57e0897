package com.cobotchat.web;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chat page's strings in the languages it speaks. One JSON dictionary per language,
 * {@code webroot/i18n/<lang>.json}, serves both the server-rendered shell (through {@link #messages})
 * and the page's script (fetched as {@code /static/i18n/<lang>.json}). Missing keys fall back to
 * English, then to the key itself. Loaded once; immutable.
 */
public final class I18n {
  /** Languages with a dictionary; the first is the fallback. */
  public static final List<String> LANGUAGES = List.of("en", "de");
  private static final Map<String, Messages> DICTIONARIES = load();

  private I18n() {
  }

  /** The supported language for a {@code cobot_locale} value or language code; English otherwise. */
  public static String language(String localeOrLang) {
    if (localeOrLang == null) {
      return LANGUAGES.get(0);
    }
    String lang = localeOrLang.split("[-_]")[0].toLowerCase(Locale.ROOT);
    return LANGUAGES.contains(lang) ? lang : LANGUAGES.get(0);
  }

  public static Messages messages(String localeOrLang) {
    return DICTIONARIES.get(language(localeOrLang));
  }

  /** The strings of one language. */
  public static final class Messages {
    private final String lang;
    private final Map<String, String> strings;
    private final Messages fallback;

    Messages(String lang, Map<String, String> strings, Messages fallback) {
      this.lang = lang;
      this.strings = Map.copyOf(strings);
      this.fallback = fallback;
    }

    public String lang() {
      return lang;
    }

    /** The string for a key; {@code {name}} placeholders are filled from {@code args} given as name, value pairs. */
    public String get(String key, String... args) {
      String text = strings.get(key);
      if (text == null) {
        text = fallback != null ? fallback.get(key) : key;
      }
      for (int i = 0; i + 1 < args.length; i += 2) {
        text = text.replace("{" + args[i] + "}", args[i + 1]);
      }
      return text;
    }

    boolean has(String key) {
      return strings.containsKey(key);
    }

    java.util.Set<String> keys() {
      return strings.keySet();
    }
  }

  private static Map<String, Messages> load() {
    Map<String, Messages> out = new LinkedHashMap<>();
    Messages fallback = null;
    for (String lang : LANGUAGES) {
      Messages m = new Messages(lang, read(lang), fallback);
      if (fallback == null) {
        fallback = m;
      }
      out.put(lang, m);
    }
    return Map.copyOf(out);
  }

  private static Map<String, String> read(String lang) {
    String path = "/webroot/i18n/" + lang + ".json";
    try (InputStream in = I18n.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing dictionary " + path);
      }
      JsonObject json = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Map<String, String> strings = new LinkedHashMap<>();
      json.forEach(e -> strings.put(e.getKey(), String.valueOf(e.getValue())));
      return strings;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
