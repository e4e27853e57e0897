package com.cobotchat.sso;

/**
 * Model of the last page of a sign-in popup ({@code sso/handoff.jte}): its script posts the
 * single-use {@code handoff} code to the chat frame that opened the popup and closes it.
 */
public record SsoHandoff(String lang, String handoff, String hintsQuery, String embedUrl) {
  @Override
  public String toString() {
    return "SsoHandoff[hidden]";
  }
}
