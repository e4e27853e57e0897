package com.cobotchat.space;

import java.time.LocalDate;

/**
 * A person in one space, keyed by the Cobot user id (never the email). An admin without a
 * membership has a null {@code membershipId}; a membership without a user account has a null
 * {@code cobotUserId} and cannot sign in.
 */
public record Member(long id, long spaceId, String cobotUserId, String membershipId, String name, String avatarUrl,
                     String planName, MemberStatus status, LocalDate canceledTo, boolean admin, String profile) {

  /** Whether the member may use the chat now: an active membership, or an admin of the space. */
  public boolean mayChat() {
    return cobotUserId != null && (status == MemberStatus.ACTIVE || admin);
  }
}
