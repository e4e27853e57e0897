package com.cobotchat.web;

import com.cobotchat.chat.RoomMembership;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.testing.ChatClient;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.SelectOption;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page end to end in headless Chromium: members sign in through the simulator's member
 * area (host page on {@code localhost}, chat on {@code 127.0.0.1}), talk to each other, and the page
 * follows what Cobot and the admins do. One browser and one node for the class; every test makes its
 * own space and browser contexts.
 */
@DisplayName("Chat page in Chromium inside Cobot's member area")
class ChatPageBrowserTest {
  private static final LocatorAssertions.HasAttributeOptions LONG = new LocatorAssertions.HasAttributeOptions().setTimeout(30_000);
  static ChatWorld world;

  @BeforeAll
  static void start() {
    world = new ChatWorld("ui_browser");
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  private static Map<String, SimMember> people() {
    return new LinkedHashMap<>();
  }

  @Test
  @DisplayName("two members exchange messages, see typing, edit and delete, see unread counts, find each other in the directory and talk directly")
  void two_members_chat() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Kaffeehaus Coworking",
        Map.of("Anna Arendt", "Flex Desk", "Ben Becker", "Fixed Desk"), m);
    try (ChatWorld.ChatUi anna = world.open(space, m.get("Anna Arendt"));
         ChatWorld.ChatUi ben = world.open(space, m.get("Ben Becker"))) {
      assertThat(anna.$("#room-title")).hasText("#general");
      assertThat(anna.$(".space-name")).hasText("Kaffeehaus Coworking");

      anna.send("Hello Ben, coffee at 3?");
      assertThat(ben.message("Hello Ben, coffee at 3?")).isVisible();
      assertThat(ben.message("Hello Ben, coffee at 3?").locator(".author")).hasText("Anna Arendt");
      assertThat(ben.message("Hello Ben, coffee at 3?").locator(".avatar")).hasCount(1);
      assertThat(anna.message("Hello Ben, coffee at 3?")).hasAttribute("id", Pattern.compile("msg-\\d+"));
      assertThat(anna.$("#message-list li.is-pending, #message-list li.is-failed")).hasCount(0);
      assertThat(ben.$("#message-list .day-label")).hasText("Today");

      ben.$("#composer-input").pressSequentially("Sure, see y", new Locator.PressSequentiallyOptions().setDelay(20));
      assertThat(anna.$("#typing")).hasText("Ben Becker is typing…");
      ben.$("#composer-input").pressSequentially("ou there");
      ben.$("#composer-input").press("Enter");
      assertThat(anna.message("Sure, see you there")).isVisible();
      assertThat(anna.$("#typing")).hasText("");
      assertThat(ben.$("#composer-input")).hasValue("");

      Locator input = anna.$("#composer-input");
      input.pressSequentially("line one");
      input.press("Shift+Enter");
      input.pressSequentially("line two");
      assertThat(input).hasValue("line one\nline two");
      input.press("Enter");
      assertThat(ben.message("line one").locator(".msg-text")).hasJSProperty("innerText", "line one\nline two");

      anna.message("Hello Ben, coffee at 3?").hover();
      anna.message("Hello Ben, coffee at 3?").locator(".edit-button").click();
      Locator edit = anna.$("#message-list .edit-input");
      edit.fill("Hello Ben, coffee at 4?");
      edit.press("Enter");
      assertThat(ben.message("coffee at 4?")).containsText("(edited)");
      assertThat(ben.$("#message-list")).not().containsText("coffee at 3?");
      assertThat(ben.message("line one").locator(".edit-button")).hasCount(0);
      assertThat(ben.message("line one").locator(".delete-button")).hasCount(0);

      anna.message("coffee at 4?").hover();
      anna.message("coffee at 4?").locator(".delete-button").click();
      anna.$("#message-list .confirm-delete").click();
      assertThat(ben.$("#message-list")).containsText("This message was deleted.");
      assertThat(ben.$("#message-list")).not().containsText("coffee at 4?");
      assertThat(anna.$("#message-list")).containsText("This message was deleted.");

      anna.view("directory");
      anna.$("#profile-about").fill("Building a bike-sharing app for the neighbourhood");
      anna.$("#profile-contact").fill("Desk 12, or https://anna.example/contact");
      anna.$("#profile-form button[type=submit]").click();
      assertThat(anna.$("#profile-status")).hasText("Profile saved.");

      ben.view("directory");
      Locator annaCard = ben.$(".member-card").filter(new Locator.FilterOptions().setHasText("Anna Arendt"));
      assertThat(annaCard).containsText("bike-sharing app");
      assertThat(annaCard.locator("a")).hasAttribute("href", "https://anna.example/contact");
      assertThat(annaCard.locator("a")).hasAttribute("rel", "noopener noreferrer");
      assertThat(annaCard.locator(".presence")).hasClass(Pattern.compile("is-online"));
      assertThat(ben.$(".member-card")).hasCount(3);
      annaCard.locator(".message-button").click();
      assertThat(ben.$("#room-title")).containsText("Anna Arendt");
      assertThat(ben.$("#view-chat")).isVisible();
      ben.send("psst, a secret for you");

      Locator dmAtAnna = anna.roomButton("Ben Becker");
      assertThat(dmAtAnna.locator(".badge")).containsText("1");
      assertThat(dmAtAnna.locator(".presence")).hasClass(Pattern.compile("is-online"));
      anna.view("chat");
      dmAtAnna.click();
      assertThat(anna.message("psst, a secret")).isVisible();
      assertThat(anna.$("#new-marker")).isVisible();
      assertThat(dmAtAnna.locator(".badge")).hasCount(0);

      ben.roomButton("general").click();
      ben.send("Anyone for lunch?");
      assertThat(anna.roomButton("general").locator(".badge")).containsText("1");
      anna.roomButton("general").click();
      assertThat(anna.message("Anyone for lunch?")).isVisible();
      assertThat(anna.roomButton("general").locator(".badge")).hasCount(0);

      ben.screenshot("room");
      assertThat(anna.cspViolations).isEmpty();
      assertThat(ben.cspViolations).isEmpty();
    }
  }

  @Test
  @DisplayName("a message with HTML and <script> is shown as text; links open safely in a new tab")
  void html_is_never_interpreted() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Markup Space", Map.of("Mallory Markup", "Flex Desk",
        "Vera Viewer", "Flex Desk"), m);
    String evil = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script><b>bold</b> "
        + "& see https://example.com/a?b=1&c=2.";
    try (ChatWorld.ChatUi mallory = world.open(space, m.get("Mallory Markup"));
         ChatWorld.ChatUi vera = world.open(space, m.get("Vera Viewer"))) {
      mallory.send(evil);
      Locator text = vera.message("<b>bold</b>").locator(".msg-text");
      assertThat(text).hasText(evil);
      assertThat(text.locator("img, script, b")).hasCount(0);
      assertThat(text.locator("a")).hasCount(1);
      assertThat(text.locator("a")).hasAttribute("href", "https://example.com/a?b=1&c=2");
      assertThat(text.locator("a")).hasAttribute("target", "_blank");
      assertThat(text.locator("a")).hasAttribute("rel", "noopener noreferrer");
      assertThat(mallory.message("<b>bold</b>").locator(".msg-text img, .msg-text script")).hasCount(0);
      assertThat(vera.chatFrame().evaluate("() => window.__pwned === undefined")).isEqualTo(true);
      assertThat(mallory.chatFrame().evaluate("() => window.__pwned === undefined")).isEqualTo(true);
      assertThat(vera.dialogs).isEmpty();

      assertThat(mallory.$("#composer-input")).hasAttribute("maxlength", "4000");
      assertThat(mallory.dialogs).isEmpty();
    }
  }

  @Test
  @DisplayName("a member cancelled in Cobot sees that their access has ended, and the page stops reconnecting")
  void cancelled_member_sees_access_ended() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Leaving Space", Map.of("Carla Cancel", "Flex Desk"), m);
    SimMember carla = m.get("Carla Cancel");
    try (ChatWorld.ChatUi ui = world.open(space, carla)) {
      ui.send("Last day today");
      assertThat(ui.message("Last day today")).hasAttribute("id", Pattern.compile("msg-\\d+"));
      AtomicInteger tickets = new AtomicInteger();
      ui.page.onRequest(r -> {
        if (r.url().endsWith("/api/ws-ticket")) {
          tickets.incrementAndGet();
        }
      });

      world.sim.cancel(carla.membershipId(), world.sim.today().minusDays(1));

      assertThat(ui.$("#ended")).isVisible();
      assertThat(ui.$("#ended")).containsText("Your access to this space’s chat has ended.");
      assertThat(ui.$("#chat")).hasAttribute("data-conn", "ended");
      assertThat(ui.$("#composer-input")).isDisabled();
      int after = tickets.get();
      ui.page.waitForTimeout(2500);
      assertThat(tickets.get()).as("no reconnect after 4403").isEqualTo(after);
      assertThat(ui.$("#chat")).hasAttribute("data-conn", "ended");
    }
  }

  @Test
  @DisplayName("at 320 px the composer is visible and the room list opens from a button")
  void narrow_frame() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Small Screens", Map.of("Nora Narrow", "Flex Desk",
        "Otto Other", "Flex Desk"), m);
    try (ChatWorld.ChatUi other = world.open(space, m.get("Otto Other"));
         ChatWorld.ChatUi ui = world.open(space, m.get("Nora Narrow"), "en", 320, 800)) {
      other.send("Welcome, Nora! This line is long enough to wrap at three hundred and twenty pixels.");
      assertThat(ui.message("Welcome, Nora!")).isVisible();
      int width = ((Number) ui.chatFrame().evaluate("() => document.documentElement.clientWidth")).intValue();
      int scrollWidth = ((Number) ui.chatFrame().evaluate("() => document.documentElement.scrollWidth")).intValue();
      assertThat(scrollWidth).as("no horizontal scrolling").isLessThanOrEqualTo(width);
      assertThat(ui.$("#composer-input")).isVisible();
      assertThat(ui.$("#composer-send")).isVisible();
      ui.page.locator("#app-frame").scrollIntoViewIfNeeded();
      assertThat(ui.$("#composer-input")).isInViewport();
      assertThat(ui.$("#composer-send")).isInViewport();
      assertThat(ui.chatFrame().evaluate("() => { const r = document.getElementById('composer-send')"
          + ".getBoundingClientRect(); return r.bottom <= innerHeight && r.right <= innerWidth && r.left >= 0; }"))
          .as("the composer sits inside the frame without scrolling it").isEqualTo(true);
      Object frameHeight = ui.page.locator("#app-frame").getAttribute("data-frame-height");
      assertThat(frameHeight).as("the page told Cobot its height").isNotNull();

      ui.send("Thanks!");
      assertThat(other.message("Thanks!")).isVisible();

      assertThat(ui.$("#sidebar")).not().isInViewport();
      ui.$("#nav-toggle").click();
      assertThat(ui.$("#nav-toggle")).hasAttribute("aria-expanded", "true");
      assertThat(ui.$("#sidebar")).isInViewport();
      ui.roomButton("general").click();
      assertThat(ui.$("#nav-toggle")).hasAttribute("aria-expanded", "false");
      ui.screenshot("narrow");
      assertThat(ui.seriousA11yViolations()).as("axe at 320 px").isEmpty();
    }
  }

  @Test
  @DisplayName("the page follows cobot_locale=de")
  void german() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Kaffeehaus Berlin", Map.of("Greta Grün", "Flex Desk"), m);
    try (ChatWorld.ChatUi ui = world.open(space, m.get("Greta Grün"), "de", 1100, 760)) {
      assertThat(ui.chatFrame().evaluate("() => document.documentElement.lang")).isEqualTo("de");
      assertThat(ui.$("#composer-send")).hasText("Senden");
      assertThat(ui.$("#rooms-heading")).hasText("Räume");
      assertThat(ui.$("#conn-text")).hasText("Verbunden");
      assertThat(ui.$("#composer-input")).hasAttribute("placeholder", "Nachricht schreiben…");
      ui.send("Hallo zusammen");
      assertThat(ui.message("Hallo zusammen")).isVisible();
      assertThat(ui.$("#message-list .day-label")).hasText("Heute");
      ui.view("directory");
      assertThat(ui.$("#directory-heading")).hasText("Mitglieder");
      assertThat(ui.$("#profile-form h3")).hasText("Dein Profil");
    }
  }

  @Test
  @DisplayName("a space admin manages rooms and auto-join rules, sees the sync status, reconciles, and deletes any message")
  void admin_view() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Admin Space",
        Map.of("Anna Arendt", "Flex Desk", "Ben Becker", "Fixed Desk"), m);
    try (ChatWorld.ChatUi admin = world.open(space, space.admin());
         ChatWorld.ChatUi ben = world.open(space, m.get("Ben Becker"));
         ChatWorld.ChatUi anna = world.open(space, m.get("Anna Arendt"))) {
      assertThat(ben.$(".view-button[data-view=admin]")).hasCount(0);
      assertThat(ben.$("#view-admin")).hasCount(0);

      anna.send("Buy cheap watches now");
      admin.message("Buy cheap watches now").hover();
      admin.message("Buy cheap watches now").locator(".delete-button").click();
      admin.$("#message-list .confirm-delete").click();
      assertThat(anna.$("#message-list")).containsText("This message was deleted.");
      assertThat(anna.$("#message-list")).not().containsText("cheap watches");

      admin.view("admin");
      assertThat(admin.$("#admin-rooms li.admin-room")).hasCount(1);
      assertThat(admin.$("#admin-rooms")).containsText("#general");
      assertThat(admin.$("#sync-status")).containsText("Last reconciliation");
      assertThat(admin.$("#sync-status")).containsText("Last webhook");

      admin.$("#room-create-name").fill("fixed-desks");
      Locator create = admin.$("#room-create");
      create.getByLabel("Members on these plans").check();
      create.getByLabel("Fixed Desk").check();
      create.locator("button[type=submit]").click();
      assertThat(admin.$("#room-create-status")).hasText("Room #fixed-desks created.");
      Locator room = admin.$("#admin-rooms li.admin-room").filter(new Locator.FilterOptions().setHasText("#fixed-desks"));
      assertThat(room).containsText("members on Fixed Desk join");
      assertThat(ben.roomButton("fixed-desks")).isVisible();
      assertThat(anna.roomButton("general")).isVisible();
      assertThat(anna.roomButton("fixed-desks")).hasCount(0);

      room.locator(".rename-button").click();
      Locator name = room.getByLabel("Room name");
      name.fill("desk-owners");
      name.press("Enter");
      assertThat(ben.roomButton("desk-owners")).isVisible();
      room = admin.$("#admin-rooms li.admin-room").filter(new Locator.FilterOptions().setHasText("#desk-owners"));

      room.locator(".rule-button").click();
      room.getByLabel("All members").check();
      try (ChatWorld.ChatUi otherAdmin = world.open(space, space.admin())) {
        otherAdmin.view("admin");
        Locator general = otherAdmin.$("#admin-rooms li.admin-room").filter(new Locator.FilterOptions().setHasText("#general"));
        general.locator(".rename-button").click();
        general.getByLabel("Room name").fill("hall");
        general.getByLabel("Room name").press("Enter");
        assertThat(otherAdmin.$("#admin-rooms")).containsText("#hall");
      }
      assertThat(admin.$("#admin-rooms")).containsText("#hall");
      assertThat(room.getByLabel("All members")).isChecked(); // the refresh kept what this admin ticked
      room.locator("button[type=submit]").click();
      assertThat(anna.roomButton("desk-owners")).isVisible();
      assertThat(room).containsText("all members join");

      room.locator(".members-button").click();
      Locator panel = room.locator(".room-members");
      assertThat(panel.locator(".room-member")).hasCount(3);
      assertThat(panel.locator(".room-member").filter(new Locator.FilterOptions().setHasText("Ada Admin")))
          .containsText("added by hand");
      panel.locator(".room-member").filter(new Locator.FilterOptions().setHasText("Ben Becker")).locator(".remove-member").click();
      assertThat(panel.locator(".form-status")).hasText("Ben Becker removed from #desk-owners.");
      assertThat(ben.roomButton("desk-owners")).hasCount(0);
      assertThat(panel.locator(".room-member")).hasCount(2);
      panel.getByLabel("Add a member").selectOption(new SelectOption().setLabel("Ben Becker"));
      panel.locator("button[type=submit]").click();
      assertThat(ben.roomButton("desk-owners")).isVisible();
      assertThat(panel.locator(".room-member").filter(new Locator.FilterOptions().setHasText("Ben Becker")))
          .containsText("added by hand");

      admin.$("#reconcile").click();
      assertThat(admin.$("#reconcile-status")).containsText("memberships");
      assertThat(admin.$(".sync-row").filter(new Locator.FilterOptions().setHasText("Last reconciliation")).locator("dd"))
          .not().hasText("never");
      admin.screenshot("admin");
      assertThat(admin.seriousA11yViolations()).as("axe on the admin view").isEmpty();

      room.locator(".archive-button").click();
      room.locator(".confirm-archive").click();
      assertThat(ben.roomButton("desk-owners")).hasCount(0);
      assertThat(anna.roomButton("desk-owners")).hasCount(0);
      assertThat(admin.$("#admin-rooms li.admin-room")).hasCount(1);
      assertThat(admin.cspViolations).isEmpty();
    }
  }

  @Test
  @DisplayName("a message written while the service is down waits, is sent after the reconnect, and exists once")
  void reconnect_resends_pending_once() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Flaky Space", Map.of("Rita Retry", "Flex Desk",
        "Sam Steady", "Flex Desk"), m);
    try (ChatWorld.ChatUi rita = world.open(space, m.get("Rita Retry"));
         ChatWorld.ChatUi sam = world.open(space, m.get("Sam Steady"))) {
      rita.send("before the outage");
      assertThat(sam.message("before the outage")).isVisible();

      world.stopNode();
      try {
        assertThat(rita.$("#chat")).hasAttribute("data-conn", Pattern.compile("waiting|connecting|offline"), LONG);
        assertThat(rita.$("#conn")).containsText(Pattern.compile("Connection lost|Connecting"));
        rita.send("written while offline");
        Locator pending = rita.message("written while offline");
        assertThat(pending).hasClass(Pattern.compile("is-pending"));
        assertThat(pending).containsText("Waiting for the connection");
      } finally {
        world.startNode();
      }
      if (rita.$("#conn-retry").isVisible()) {
        rita.$("#conn-retry").click();
      }
      assertThat(rita.$("#chat")).hasAttribute("data-conn", "open", LONG);
      assertThat(rita.message("written while offline")).hasAttribute("id", Pattern.compile("msg-\\d+"),
          new LocatorAssertions.HasAttributeOptions().setTimeout(30_000));
      assertThat(sam.$("#chat")).hasAttribute("data-conn", "open", LONG);
      assertThat(sam.message("written while offline")).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(30_000));
      assertThat(sam.$("#message-list li.msg").filter(new Locator.FilterOptions().setHasText("written while offline"))).hasCount(1);
      assertThat(rita.$("#message-list li.msg").filter(new Locator.FilterOptions().setHasText("written while offline"))).hasCount(1);
      long stored = world.app().services().pool().preparedQuery("SELECT count(*) FROM messages WHERE text = $1")
          .execute(Tuple.of("written while offline")).await().iterator().next().getLong(0);
      assertThat(stored).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("scrolling up loads earlier messages page by page, with day separators, up to the beginning of the room")
  void scroll_back_loads_history() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Long Memory", Map.of("Hugo History", "Flex Desk"), m);
    long adminId = world.member(space, space.admin()).id();
    long room = world.app().services().pool().preparedQuery("SELECT id FROM rooms WHERE space_id = $1 AND is_default")
        .execute(Tuple.of(space.id())).await().iterator().next().getLong(0);
    world.app().services().pool().preparedQuery("""
        WITH r AS (SELECT id, last_seq FROM rooms WHERE id = $1),
        gen AS (SELECT g, r.last_seq + g AS seq FROM r, generate_series(1, $3) g),
        msgs AS (
          INSERT INTO messages (room_id, author_id, author_name, client_msg_id, text, seq, created_at)
          SELECT $1, $2, 'Ada Admin', 'seed-' || g, 'history ' || lpad(g::text, 3, '0'), seq,
                 date_trunc('day', now()) - interval '12 hours' - ($3 - g) * interval '1 minute' FROM gen
          RETURNING id, seq, created_at),
        ev AS (INSERT INTO room_events (room_id, seq, kind, message_id, actor_id, created_at)
               SELECT $1, seq, 'message', id, $2, created_at FROM msgs),
        joins AS (UPDATE room_events SET created_at = now() - interval '3 days' WHERE room_id = $1)
        UPDATE rooms SET last_seq = last_seq + $3 WHERE id = $1""").execute(Tuple.of(room, adminId, 130)).await();

    try (ChatWorld.ChatUi hugo = world.open(space, m.get("Hugo History"))) {
      hugo.send("and today");
      assertThat(hugo.message("history 130")).isVisible();
      assertThat(hugo.$("#message-list")).not().containsText("history 050");
      assertThat(hugo.$(".room-start")).hasCount(0);
      for (int i = 0; i < 6 && hugo.$(".room-start").count() == 0; i++) {
        hugo.$("#messages").evaluate("e => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); }");
        hugo.page.waitForTimeout(400);
      }
      assertThat(hugo.$(".room-start")).containsText("This is the beginning of #general.");
      assertThat(hugo.message("history 001")).hasCount(1);
      assertThat(hugo.$("#message-list li.msg")).hasCount(131);
      assertThat(hugo.$("#message-list .day-label")).hasText(new Pattern[] {
          Pattern.compile("\\w+day,? \\w+ \\w+"), Pattern.compile("Yesterday"), Pattern.compile("Today")});
    }
  }

  @Test
  @DisplayName("with 40 rooms (more than the server serves in flight) every room is live and counts unread messages")
  void many_rooms_are_all_live() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Busy Space", Map.of("Mia Many", "Flex Desk"), m);
    long adminId = world.member(space, space.admin()).id();
    var membership = world.app().services().chat().membership();
    for (int i = 1; i <= 40; i++) {
      membership.createRoom(adminId, String.format("room-%02d", i), "channel", RoomMembership.AutoJoin.ALL).await();
    }
    Vertx vertx = Vertx.vertx();
    try (ChatWorld.ChatUi mia = world.open(space, m.get("Mia Many"))) {
      assertThat(mia.$("#room-list .room-button")).hasCount(41);
      String ticket = world.app().services().tickets().issue(adminId, null).await();
      try (ChatClient ada = ChatClient.connect(vertx, world.port, ticket, world.publicUrl)) {
        JsonObject ready = ada.next("ready");
        String last = ready.getJsonArray("rooms").stream().map(o -> (JsonObject) o)
            .filter(r -> r.getString("name").equals("room-40")).findFirst().orElseThrow().getString("id");
        ada.send(new JsonObject().put("type", "send").put("room", last).put("clientMsgId", "late-1").put("text", "in the last room"));
        ada.next("ack");
      }
      assertThat(mia.roomButton("room-40").locator(".badge")).containsText("1");
      mia.roomButton("room-40").click();
      assertThat(mia.message("in the last room")).isVisible();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("axe-core finds no serious or critical accessibility problems in the room, directory and admin views")
  void accessibility() {
    Map<String, SimMember> m = people();
    ChatWorld.TestSpace space = world.installedSpace("Accessible Space", Map.of("Alex Access", "Flex Desk"), m);
    try (ChatWorld.ChatUi admin = world.open(space, space.admin());
         ChatWorld.ChatUi alex = world.open(space, m.get("Alex Access"))) {
      alex.send("Good morning! Details at https://example.com/agenda");
      admin.send("Morning Alex");
      assertThat(alex.message("Morning Alex")).isVisible();
      List<Map<String, Object>> room = alex.seriousA11yViolations();
      assertThat(room).as("room view").isEmpty();
      alex.view("directory");
      assertThat(alex.$(".member-card")).hasCount(2);
      assertThat(alex.seriousA11yViolations()).as("directory").isEmpty();
      admin.view("admin");
      assertThat(admin.$("#admin-rooms li.admin-room")).hasCount(1);
      assertThat(admin.seriousA11yViolations()).as("admin view").isEmpty();
    }
  }
}
