package com.cobotchat.web;

/**
 * Model of the chat page ({@code chat/page.jte}), rendered by sign-in once the member is known.
 * The page token and CSRF token go into {@code <meta>} tags that the page's script reads; they never
 * appear in a URL.
 *
 * @param lang          page language from {@code cobot_locale}
 * @param spaceName     the space's name
 * @param subdomain     the space's Cobot subdomain
 * @param memberId      the member's id in this service
 * @param memberName    display name
 * @param admin         whether the member is a space admin (moderator)
 * @param pageToken     bearer token for {@code POST /api/ws-ticket}, valid about an hour, renewed by that call
 * @param csrfToken     token for forms and state-changing calls of this page (field {@code csrf} / header {@code X-CSRF-Token})
 * @param wsUrl         absolute {@code ws(s)://…/ws} URL
 * @param embedUrl      {@code /embed?…} with the Cobot hints: where a reload of this page should go
 * @param signInUrl     the sign-in popup ({@code /auth/popup?…}) the page offers when its session has ended
 * @param hintsQuery    the Cobot hints as a query string (sent back by the logout form)
 */
public record ChatPage(String lang, String spaceName, String subdomain, long memberId, String memberName, boolean admin,
                       String pageToken, String csrfToken, String wsUrl, String embedUrl, String signInUrl,
                       String hintsQuery) {

  /** The page's language: {@code lang} when the page speaks it, else English. */
  public String language() {
    return I18n.language(lang);
  }

  /** The page's strings. */
  public I18n.Messages t() {
    return I18n.messages(lang);
  }

  @Override
  public String toString() {
    return "ChatPage[member=" + memberId + ", space=" + subdomain + "]";
  }
}
