package com.cobotchat.web;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat page strings: one dictionary per language for the shell and the script")
class I18nTest {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

  @Test
  void cobot_locale_picks_a_language_the_page_speaks() {
    assertThat(I18n.language("de")).isEqualTo("de");
    assertThat(I18n.language("de_AT")).isEqualTo("de");
    assertThat(I18n.language("DE-ch")).isEqualTo("de");
    assertThat(I18n.language("fr")).isEqualTo("en");
    assertThat(I18n.language(null)).isEqualTo("en");
    assertThat(I18n.messages("de").get("composer.send")).isEqualTo("Senden");
    assertThat(I18n.messages("en").get("composer.label", "room", "#general")).isEqualTo("Message #general");
    assertThat(I18n.messages("de").get("no.such.key")).isEqualTo("no.such.key");
  }

  @Test
  void german_has_every_english_key_with_the_same_placeholders() throws IOException {
    JsonObject en = dictionary("en");
    JsonObject de = dictionary("de");
    assertThat(de.fieldNames()).containsExactlyInAnyOrderElementsOf(en.fieldNames());
    for (String key : en.fieldNames()) {
      assertThat(placeholders(de.getString(key))).as(key).isEqualTo(placeholders(en.getString(key)));
    }
  }

  @Test
  void every_key_the_template_and_scripts_use_exists() throws IOException {
    Set<String> used = new TreeSet<>();
    collect(Paths.get("src/main/jte/chat/page.jte"), Pattern.compile("t\\.get\\(\"([a-zA-Z_.]+)\""), used);
    try (Stream<Path> scripts = Files.list(Paths.get("webroot/js"))) {
      for (Path p : scripts.filter(p -> p.getFileName().toString().startsWith("chat")).toList()) {
        collect(p, Pattern.compile("\\bt\\('([a-zA-Z_.]+)'[,)]"), used);
      }
    }
    assertThat(used).hasSizeGreaterThan(50);
    assertThat(dictionary("en").fieldNames()).containsAll(used);
  }

  private static void collect(Path file, Pattern pattern, Set<String> into) throws IOException {
    Matcher m = pattern.matcher(Files.readString(file));
    while (m.find()) {
      into.add(m.group(1));
    }
  }

  private static Set<String> placeholders(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static JsonObject dictionary(String lang) throws IOException {
    return new JsonObject(Files.readString(Paths.get("webroot/i18n/" + lang + ".json")));
  }
}
