package com.cobotchat.simulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Member pictures: SVG avatars with initials, coloured from the name and picture version. No external hosts. */
final class Avatars {
  private Avatars() {
  }

  static String svg(String name, int version) {
    String initials = Arrays.stream(name.trim().split("\\s+")).filter(s -> !s.isEmpty()).limit(2)
        .map(s -> s.substring(0, 1).toUpperCase(Locale.ROOT)).collect(Collectors.joining());
    int hue = Math.floorMod(name.hashCode() * 31 + version * 97, 360);
    return """
        <svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">\
        <rect width="120" height="120" rx="60" fill="hsl(%d,55%%,45%%)"/>\
        <text x="60" y="60" dy="0.35em" text-anchor="middle" font-family="sans-serif" font-size="46" \
        fill="#fff">%s</text></svg>""".formatted(hue, escape(initials.isEmpty() ? "?" : initials));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
