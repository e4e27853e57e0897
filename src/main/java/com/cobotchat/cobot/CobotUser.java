package com.cobotchat.cobot;

import java.util.List;
import java.util.Optional;

/**
 * The signed-in user as {@code GET /api/user} describes them. {@link #id()} is the identity key.
 */
public record CobotUser(String id, String email, List<Membership> memberships, List<AdminOf> adminOf) {

  /** A membership of the user: its id in that space and its API URL. */
  public record Membership(String id, String spaceSubdomain, String spaceName, String link) {
  }

  /** A space the user administers, with their display name there. */
  public record AdminOf(String spaceSubdomain, String spaceName, String name) {
  }

  public Optional<Membership> membershipIn(String subdomain) {
    return memberships.stream().filter(m -> m.spaceSubdomain().equals(subdomain)).findFirst();
  }

  public Optional<AdminOf> adminOf(String subdomain) {
    return adminOf.stream().filter(a -> a.spaceSubdomain().equals(subdomain)).findFirst();
  }

  public boolean isAdminOf(String subdomain) {
    return adminOf(subdomain).isPresent();
  }
}
