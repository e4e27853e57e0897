package com.cobotchat.sso;

import java.util.List;

/**
 * Model of the pages sign-in shows instead of the chat ({@code sso/notice.jte}): what happened in
 * words a member understands and what they can do next.
 *
 * @param kind a stable name for the situation, e.g. {@code signed-out}, {@code not-member}; tests and the UI key on it
 */
public record SsoNotice(String lang, String kind, String title, String message, String reference, List<Action> actions) {

  /** A link offered on the page; {@code newTab} opens it top-level (first-party mode). */
  public record Action(String label, String href, boolean newTab) {
  }
}
