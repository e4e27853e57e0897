package com.cobotchat.sync;

import java.util.List;

/** The Cobot webhook events the chat subscribes to in every space (SPEC section 6). */
public final class Events {
  public static final List<String> SUBSCRIBED = List.of(
      "confirmed_membership", "connected_user", "canceled_membership", "uncanceled_membership",
      "reactivated_membership", "membership_cancellation_date_reached", "deleted_membership",
      "updated_membership_details", "updated_membership_picture", "changed_membership_plan",
      "membership_plan_change_date_reached");

  private Events() {
  }

  /** The name used as a metric tag: a subscribed event, or {@code other}. */
  static String tag(String event) {
    return SUBSCRIBED.contains(event) ? event : "other";
  }
}
