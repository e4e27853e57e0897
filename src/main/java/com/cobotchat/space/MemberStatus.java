package com.cobotchat.space;

/** Where a member stands with the space: only {@code ACTIVE} members may chat. */
public enum MemberStatus {
  ACTIVE, PENDING, ENDED;

  public String db() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static MemberStatus fromDb(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
