package com.cobotchat.simulator;

import java.util.List;

/** Models of the simulator's pages (jte templates under {@code src/main/jte/simulator/}). */
public final class SimPages {
  private SimPages() {
  }

  /** The sign-in page where a visitor picks a demo user. */
  public record SignIn(String title, String spaceName, String clientId, String returnTo, List<SignInUser> users) {
  }

  /** One choice on the sign-in page. */
  public record SignInUser(String id, String name, String email, String spaces) {
  }

  /** The consent page shown once per user and client. */
  public record Consent(String clientId, String userName, List<String> scopes, String returnTo) {
  }
}
