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

  /** The simulated member area ({@code /host/{subdomain}}). */
  public record Host(String spaceName, String subdomain, String locale, Person viewer, boolean viewerIsAdmin,
      List<NavItem> nav, NavItem selected, String frameUrl, List<Person> people, boolean demo,
      List<Person> members, List<String> plans, List<DeliveryRow> deliveries, String today, String installUrl) {

    public String hostPath() {
      return "/host/" + subdomain;
    }

    public String switchAction() {
      return "/_sim/host/" + subdomain + "/switch";
    }

    public String action(String name) {
      return "/_sim/host/" + subdomain + "/" + name;
    }

    public String selectedId() {
      return selected == null ? "" : selected.id();
    }

    public String localeHref(String newLocale) {
      return hostPath() + "?locale=" + newLocale + (selected == null ? "" : "&link=" + selected.id());
    }
  }

  /** A person in the switcher or the demo member list. */
  public record Person(String id, String name, String detail) {
  }

  /** A navigation entry of the member area. */
  public record NavItem(String id, String label, String section, String href, boolean active) {
  }

  /** One recent webhook delivery shown on the demo host page. */
  public record DeliveryRow(String event, int status, int attempt, String time) {
  }
}
