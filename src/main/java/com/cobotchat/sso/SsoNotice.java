package com.cobotchat.sso;

import java.util.List;

/**
 * Model of the pages sign-in shows instead of the chat ({@code sso/notice.jte}): what happened in
 * words a member understands and what they can do next.
 *
 * @param kind       a stable name for the situation, e.g. {@code signed-out}, {@code not-member}; tests and the UI key on it
 * @param hintsQuery the Cobot hints, for the form that redeems a popup's sign-in
 */
public record SsoNotice(String lang, String kind, String title, String message, String reference, String hintsQuery,
                        List<Action> actions) {

  /**
   * A link offered on the page. With script, a link with a {@code popup} URL runs sign-in in a popup
   * (see {@code signin.js}); {@code newTab} opens {@code href} top-level (first-party mode).
   */
  public record Action(String label, String href, String popup, boolean newTab) {
  }
}
