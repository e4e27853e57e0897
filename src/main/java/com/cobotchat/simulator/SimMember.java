package com.cobotchat.simulator;

/** A Cobot user together with their membership in one space; {@code userId} is null for admin-managed members. */
public record SimMember(String userId, String membershipId, String name) {
}
