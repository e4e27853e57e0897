package com.cobotchat.chat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Chat signals survive their JSON form")
class ChatSignalTest {

  @Test
  void every_signal_round_trips_through_json() {
    List<ChatSignal> signals = List.of(
        new ChatSignal.RoomEvents(7, 3, 4, List.of(new RoomEvent(3, "message", 0, "{\"a\":1}"),
            new RoomEvent(4, "member_left", 9, "{\"b\":2}"))),
        new ChatSignal.RoomEvents(7, 3, 4, null),
        new ChatSignal.RoomFrame(7, 2, "{\"type\":\"typing\"}"),
        new ChatSignal.MemberFrame(2, "{\"type\":\"unread\"}"),
        new ChatSignal.AccessChanged(2, List.of(1L, 5L), List.of(6L)),
        new ChatSignal.RoomChanged(7, true, "{\"type\":\"room_removed\"}"),
        new ChatSignal.CloseMember(2, 4403, "gone"),
        new ChatSignal.PresenceChanged("node-1", 2, true));
    for (ChatSignal s : signals) {
      assertThat(ChatSignal.fromJson(new io.vertx.core.json.JsonObject(s.toJson().encode()))).isEqualTo(s);
    }
  }

  @Test
  void room_events_can_drop_their_payload_and_unknown_kinds_are_refused() {
    ChatSignal.RoomEvents full = new ChatSignal.RoomEvents(1, 2, 2, List.of(new RoomEvent(2, "message", 0, "{}")));
    assertThat(full.withoutEvents().toJson().containsKey("events")).isFalse();
    assertThat(full.withoutEvents().toSeq()).isEqualTo(2);
    assertThatThrownBy(() -> ChatSignal.fromJson(new io.vertx.core.json.JsonObject().put("t", "nope")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
