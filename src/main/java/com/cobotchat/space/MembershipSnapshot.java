package com.cobotchat.space;

import io.vertx.core.json.JsonObject;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What Cobot says about one membership right now (API 1 membership JSON), reduced to what the chat needs.
 *
 * @param deleted true when Cobot answered 404 for the membership
 */
public record MembershipSnapshot(String membershipId, String cobotUserId, String name, String avatarUrl,
                                 String planName, boolean confirmed, LocalDate canceledTo, boolean deleted) {

  private static final DateTimeFormatter COBOT_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");

  public static MembershipSnapshot deleted(String membershipId) {
    return new MembershipSnapshot(membershipId, null, null, null, null, false, null, true);
  }

  /** Reads Cobot's membership JSON; unknown or malformed dates count as absent. */
  public static MembershipSnapshot fromCobot(JsonObject json) {
    JsonObject user = json.getJsonObject("user");
    JsonObject plan = json.getJsonObject("plan");
    return new MembershipSnapshot(
        String.valueOf(json.getValue("id")),
        user == null || user.getValue("id") == null ? null : String.valueOf(user.getValue("id")),
        json.getString("name", "Member"),
        json.getString("picture"),
        plan == null ? null : plan.getString("name"),
        json.getValue("confirmed_at") != null,
        parseDate(json.getString("canceled_to")),
        false);
  }

  /** SPEC 6: active when confirmed, with a user account, and {@code canceled_to} empty or not yet past. */
  public boolean isActive(LocalDate today) {
    return !deleted && confirmed && cobotUserId != null && (canceledTo == null || !canceledTo.isBefore(today));
  }

  public MemberStatus status(LocalDate today) {
    if (isActive(today)) {
      return MemberStatus.ACTIVE;
    }
    return deleted || (canceledTo != null && canceledTo.isBefore(today)) ? MemberStatus.ENDED : MemberStatus.PENDING;
  }

  static LocalDate parseDate(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String day = value.length() >= 10 ? value.substring(0, 10).replace('-', '/') : value;
    try {
      return LocalDate.parse(day, COBOT_DATE);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
