package com.cobotchat.chat;

import com.cobotchat.space.Space;
import com.cobotchat.testing.ChatClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Malformed frames are answered with errors and harm nobody")
class ChatMalformedFramesTest extends ChatTestBase {

  @Test
  void bad_frames_get_bad_request_and_the_connection_and_others_carry_on() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    subscribe(a, general);
    subscribe(b, general);
    String r = id(general);
    List<String> garbage = List.of(
        "not json",
        "",
        "[1,2,3]",
        "\"just a string\"",
        "null",
        "42",
        "{}",
        "{\"type\":5}",
        "{\"type\":null}",
        "{\"type\":\"nonsense\"}",
        "{\"type\":\"subscribe\"}",
        "{\"type\":\"subscribe\",\"room\":{\"id\":1}}",
        "{\"type\":\"subscribe\",\"room\":-5}",
        "{\"type\":\"subscribe\",\"room\":\"abc\"}",
        "{\"type\":\"subscribe\",\"room\":1.5}",
        "{\"type\":\"subscribe\",\"room\":\"" + r + "\",\"after\":1e400}",
        "{\"type\":\"subscribe\",\"room\":\"" + r + "\",\"after\":123456789012345678901234567890}",
        "{\"type\":\"subscribe\",\"room\":\"" + r + "\",\"after\":-1}",
        "{\"type\":\"subscribe\",\"room\":99999999999999999999999}",
        "{\"type\":\"subscribe\",\"room\":\"" + "9".repeat(40) + "\"}",
        "{\"type\":\"send\",\"room\":\"" + r + "\",\"clientMsgId\":\"\",\"text\":\"x\"}",
        "{\"type\":\"send\",\"room\":\"" + r + "\",\"clientMsgId\":\"" + "c".repeat(65) + "\",\"text\":\"x\"}",
        "{\"type\":\"send\",\"room\":\"" + r + "\",\"clientMsgId\":\"c\",\"text\":42}",
        "{\"type\":\"send\",\"room\":\"" + r + "\",\"clientMsgId\":[\"c\"],\"text\":\"x\"}",
        "{\"type\":\"history\",\"room\":\"" + r + "\",\"limit\":\"ten\"}",
        "{\"type\":\"read\",\"room\":\"" + r + "\",\"seq\":true}",
        "{\"type\":\"dm\",\"user\":null}",
        "{\"type\":\"edit\",\"room\":\"" + r + "\",\"messageId\":\"1\"}",
        "[".repeat(5000) + "]".repeat(5000),
        "{\"type\":\"ping\"",
        "\uFFFF\uFFFE garbage");
    for (String text : garbage) {
      a.sendRaw(text);
    }
    a.sendBinary(Buffer.buffer(new byte[] {0, 1, 2, 3}));
    a.sendFrame(WebSocketFrame.binaryFrame(Buffer.buffer("{\"type\":\"ping\"}"), true));

    for (int i = 0; i < garbage.size() + 2; i++) {
      JsonObject error = a.next("error");
      assertThat(error.getString("code")).as("error %d", i).isEqualTo("bad_request");
      assertThat(error.getString("message")).isNotBlank();
    }
    a.send(frame("subscribe", "room", "abc", "ref", "bad-ref"));
    assertThat(error(a, "bad-ref").getString("code")).isEqualTo("bad_request");
    a.send(frame("ping", "ref", "alive"));
    assertThat(a.answer("pong", "alive")).isNotNull();
    assertThat(a.isClosed()).isFalse();

    say(a, general, "still here");
    assertThat(b.await(f -> "event".equals(f.getString("type"))).getJsonObject("message").getString("text"))
        .isEqualTo("still here");
    assertThat(b.drain(f -> "error".equals(f.getString("type")), Duration.ofMillis(200))).isEmpty();
  }

  @Test
  void an_oversize_frame_closes_only_that_socket_with_1009() {
    Space space = space();
    long general = defaultRoom(space);
    ChatClient a = connect(member(space, "Ada"));
    ChatClient b = connect(member(space, "Bob"));
    subscribe(b, general);

    a.sendRaw("{\"type\":\"send\",\"room\":\"" + general + "\",\"clientMsgId\":\"big\",\"text\":\"" + "x".repeat(70_000) + "\"}");

    assertThat(a.closeCode(ChatClient.WAIT)).isEqualTo(1009);
    say(b, general, "unaffected");
    assertThat(b.await(f -> "event".equals(f.getString("type"))).getJsonObject("message").getString("text"))
        .isEqualTo("unaffected");
    assertThat(rows("SELECT count(*) FROM messages WHERE client_msg_id = 'big'").get(0).getLong(0)).isZero();
  }

  @Test
  void an_oversize_message_in_fragments_is_closed_with_1009_too() {
    Space space = space();
    ChatClient a = connect(member(space, "Ada"));
    a.sendFrame(WebSocketFrame.textFrame("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(40_000), false));
    a.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("y".repeat(40_000) + "\"}"), true));
    assertThat(a.closeCode(ChatClient.WAIT)).isEqualTo(1009);
  }
}
