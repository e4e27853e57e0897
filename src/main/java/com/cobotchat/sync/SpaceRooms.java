package com.cobotchat.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * What the sync needs from the chat's room membership service. The database parts take the
 * caller's transaction so that a membership change and its room changes commit together;
 * closing live sockets happens after the commit.
 */
public interface SpaceRooms {

  /** Placeholder until the chat's room service is wired in: no rooms, nothing to close. */
  SpaceRooms NONE = new SpaceRooms() {
    @Override
    public Future<Void> ensureDefaultRoom(SqlClient tx, long spaceId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Integer> applyRules(SqlClient tx, long memberId) {
      return Future.succeededFuture(0);
    }

    @Override
    public Future<Integer> removeFromSpace(SqlClient tx, long memberId) {
      return Future.succeededFuture(0);
    }

    @Override
    public Future<Void> closeMember(long memberId) {
      return Future.succeededFuture();
    }
  };

  /** Creates the space's default room (every member joins it) unless it exists. */
  Future<Void> ensureDefaultRoom(SqlClient tx, long spaceId);

  /**
   * Brings the member's rule-made room memberships in line with the rooms' auto-join rules and the
   * member's current status and plan: joins matching rooms (not those an admin removed them from),
   * leaves rule-joined rooms that no longer match, never touches manual joins.
   *
   * @return how many rooms the member joined or left
   */
  Future<Integer> applyRules(SqlClient tx, long memberId);

  /**
   * Takes the member out of every room of their space; past messages stay.
   *
   * @return how many rooms the member left
   */
  Future<Integer> removeFromSpace(SqlClient tx, long memberId);

  /** Closes every live WebSocket of the member with code 4403, on every node. */
  Future<Void> closeMember(long memberId);
}
