package com.cobotchat.cobot;

import java.util.List;

/** A space access token (survives admin turnover); never log {@link #token()}. */
public record SpaceToken(String token, String clientId, List<String> scopes) {
  @Override
  public String toString() {
    return "SpaceToken[clientId=" + clientId + ", scopes=" + scopes + "]";
  }
}
