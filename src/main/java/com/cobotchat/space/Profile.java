package com.cobotchat.space;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The short profile a member writes for the space's directory: what they work on ({@code about}) and
 * how to reach them ({@code contact}). Stored as a small JSON object in {@code members.profile}
 * (at most 1000 characters); plain text there (from before) reads as {@code about}.
 * Text only: clients must never interpret it as HTML.
 */
public record Profile(String about, String contact) {
  public static final int MAX_ABOUT = 500;
  public static final int MAX_CONTACT = 200;
  public static final Profile EMPTY = new Profile("", "");
  private static final int MAX_STORED = 1000;

  public Profile {
    about = clean(about, true);
    contact = clean(contact, false);
  }

  /** Reads the stored column. */
  public static Profile parse(String stored) {
    if (stored == null || stored.isBlank()) {
      return EMPTY;
    }
    if (stored.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(stored);
        return new Profile(json.getValue("about") instanceof String a ? a : "",
            json.getValue("contact") instanceof String c ? c : "");
      } catch (DecodeException | ClassCastException e) {
        return new Profile(stored, "");
      }
    }
    return new Profile(stored, "");
  }

  /**
   * A profile as a member submitted it; null with {@link #problem} explaining why it is refused.
   * Text is trimmed; control characters other than line breaks in {@code about} are dropped.
   */
  public static Profile submitted(Object about, Object contact) {
    return new Profile(about instanceof String a ? a : "", contact instanceof String c ? c : "");
  }

  /** Why this profile cannot be stored, or null when it can. */
  public String problem() {
    if (about.codePointCount(0, about.length()) > MAX_ABOUT) {
      return "\u201cWhat I work on\u201d has at most " + MAX_ABOUT + " characters.";
    }
    if (contact.codePointCount(0, contact.length()) > MAX_CONTACT) {
      return "\u201cHow to reach me\u201d has at most " + MAX_CONTACT + " characters.";
    }
    if (stored().length() > MAX_STORED) {
      return "The profile is too long.";
    }
    return null;
  }

  /** The column value: empty when both parts are empty. */
  public String stored() {
    return about.isEmpty() && contact.isEmpty() ? "" : toJson().encode();
  }

  public JsonObject toJson() {
    return new JsonObject().put("about", about).put("contact", contact);
  }

  private static String clean(String text, boolean multiline) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (cp == '\n' && multiline) {
        out.append('\n');
      } else if (cp == '\t' || cp == '\n' || cp == '\r') {
        out.append(cp == '\r' && multiline ? "" : " ");
      } else if (!Character.isISOControl(cp)) {
        out.appendCodePoint(cp);
      }
    });
    return out.toString().strip();
  }
}
