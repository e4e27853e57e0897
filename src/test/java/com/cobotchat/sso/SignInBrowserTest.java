package com.cobotchat.sso;

import com.cobotchat.testing.TestConfigs;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.SimMember;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.Cookie;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end in headless Chromium: the simulator's member area on {@code localhost} frames the chat's
 * navigation link ({@code /embed} on {@code 127.0.0.1}, another site, as Cobot frames the chat), and
 * the member lands in the chat without typing, in three cookie regimes set through the profile's
 * preferences:
 * <ul>
 *   <li>{@code THIRD_PARTY_ALLOWED}: {@code profile.cookie_controls_mode = 0};</li>
 *   <li>{@code THIRD_PARTY_BLOCKED}: {@code profile.cookie_controls_mode = 1}, Chromium's "Block
 *       third-party cookies" (partitioned cookies stay allowed, as in current Chrome);</li>
 *   <li>{@code NO_FRAME_COOKIES}: additionally a cookie content-setting exception that blocks every
 *       cookie of {@code 127.0.0.1} under {@code localhost} (a browser keeping nothing for the iFrame).</li>
 * </ul>
 * ({@code --test-third-party-cookie-phaseout} has no effect in Chromium 156; a fresh profile and
 * Playwright's {@code newContext()} already block third-party cookies.) A probe frame on a small
 * test host checks that each regime is in force.
 */
@DisplayName("Sign-in inside a cross-site iFrame in Chromium")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignInBrowserTest {
  enum Mode {
    THIRD_PARTY_ALLOWED("{\"profile\":{\"cookie_controls_mode\":0}}", true, true),
    THIRD_PARTY_BLOCKED("{\"profile\":{\"cookie_controls_mode\":1}}", false, true),
    NO_FRAME_COOKIES("{\"profile\":{\"cookie_controls_mode\":1,\"content_settings\":{\"exceptions\":{\"cookies\":"
        + "{\"http://127.0.0.1:*,http://localhost:*\":{\"setting\":2}}}}}}", false, false);

    final String preferences;
    final boolean thirdPartyCookies;
    final boolean partitionedCookies;

    Mode(String preferences, boolean thirdPartyCookies, boolean partitionedCookies) {
      this.preferences = preferences;
      this.thirdPartyCookies = thirdPartyCookies;
      this.partitionedCookies = partitionedCookies;
    }
  }

  static SignInHarness h;
  static SignInHarness.InstalledSpace space;
  static String memberArea;
  static String memberAreaLoopGuard;
  static HttpServer host;
  static Playwright playwright;

  @BeforeAll
  static void start() {
    h = new SignInHarness("ssobrowser", Map.of());
    space = h.installedSpace(null);
    memberArea = h.navigationLink(space, "Chat", h.base + "/embed");
    memberAreaLoopGuard = h.navigationLink(space, "Chat (second attempt)", h.base + "/embed?auth_try=2");
    host = h.vertx.createHttpServer().requestHandler(SignInBrowserTest::hostPage).listen(0, "127.0.0.1").await();
    playwright = Playwright.create();
  }

  @AfterAll
  static void stop() {
    if (playwright != null) {
      playwright.close();
    }
    host.close().await();
    h.close();
  }

  /** A framing page on localhost for cookie probes that check the browser's regime. */
  private static void hostPage(io.vertx.core.http.HttpServerRequest req) {
    String path = req.path();
    var res = req.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store");
    switch (path) {
      case "/host" -> res.end("<!DOCTYPE html><title>Cobot</title><h1>Member area</h1>"
          + "<iframe id=\"chat\" style=\"width:100%;height:500px\" src=\"" + escape(req.getParam("src")) + "\"></iframe>");
      case "/probe/set" -> {
        res.headers().add("Set-Cookie", "probe3p=1; Path=/; Secure; SameSite=None");
        res.headers().add("Set-Cookie", "probechips=1; Path=/; Secure; SameSite=None; Partitioned");
        res.end("<p id=\"c\">set</p>");
      }
      case "/probe/show" -> res.end("<p id=\"c\">" + escape(String.valueOf(req.getHeader("Cookie"))) + "</p>");
      default -> res.setStatusCode(404).end();
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
  }

  private String hostUrl(String frameUrl) {
    return "http://localhost:" + host.actualPort() + "/host?src=" + URLEncoder.encode(frameUrl, StandardCharsets.UTF_8);
  }

  private BrowserContext launch(Mode mode) {
    try {
      Path dir = Files.createTempDirectory("chromium-" + mode.name().toLowerCase());
      Files.createDirectories(dir.resolve("Default"));
      Files.writeString(dir.resolve("Default/Preferences"), mode.preferences);
      BrowserContext ctx = playwright.chromium().launchPersistentContext(dir, new BrowserType.LaunchPersistentContextOptions()
          .setExecutablePath(Paths.get("/usr/bin/chromium"))
          .setHeadless(true)
          .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run")));
      ctx.setDefaultTimeout(20_000);
      ctx.onClose(c -> deleteQuietly(dir));
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a temp directory; the OS cleans up what remains
    }
  }

  /** Logs the member in to the simulated Cobot in this browser (as a member who already authorised the app). */
  private void loggedInToCobot(BrowserContext ctx, SimMember m) {
    h.sim.grantConsent(m.userId(), TestConfigs.CLIENT_ID, "read_user");
    ctx.addCookies(List.of(new Cookie(CobotSimulator.LOGIN_COOKIE, h.sim.loginCookie(m.userId()))
        .setDomain("localhost").setPath("/").setSameSite(com.microsoft.playwright.options.SameSiteAttribute.LAX)));
  }

  private String probe(Page page) {
    String probeHost = "http://127.0.0.1:" + host.actualPort();
    page.navigate(hostUrl(probeHost + "/probe/set"));
    page.frameLocator("#chat").locator("#c").waitFor();
    page.navigate(hostUrl(probeHost + "/probe/show"));
    return page.frameLocator("#chat").locator("#c").textContent();
  }

  private static boolean isTicket(Response r) {
    return r.url().endsWith("/api/ws-ticket") && r.status() == 200;
  }

  private static long authorizeRequests(List<String> urls) {
    return urls.stream().filter(u -> u.contains("/oauth/authorize")).count();
  }

  private static void remember(Page page, Response ticket) {
    SignInHarness.remember(new io.vertx.core.json.JsonObject(ticket.text()).getString("ticket"));
    FrameLocator chat = page.frameLocator("#app-frame");
    SignInHarness.remember(chat.locator("meta[name=page-token]").getAttribute("content"));
    SignInHarness.remember(chat.locator("meta[name=csrf-token]").getAttribute("content"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  @DisplayName("lands in the chat without typing, survives a reload, and a logout survives a reload")
  void member_lands_reloads_and_logs_out_for_good(Mode mode) {
    SimMember m = h.member(space, "Bea " + mode.name().charAt(0) + mode.name().substring(1).toLowerCase().replace('_', ' '));
    try (BrowserContext ctx = launch(mode)) {
      loggedInToCobot(ctx, m);
      Page page = ctx.newPage();

      String cookies = probe(page);
      assertThat(cookies.contains("probe3p=1")).as("third-party cookies in this regime").isEqualTo(mode.thirdPartyCookies);
      assertThat(cookies.contains("probechips=1")).as("partitioned cookies in this regime").isEqualTo(mode.partitionedCookies);

      List<String> urls = new CopyOnWriteArrayList<>();
      ctx.onRequest(r -> urls.add(r.url()));
      ctx.onResponse(r -> {
        if (r.url().contains("/auth/cobot/callback?")) {
          SignInHarness.remember(com.cobotchat.testing.Http.query(r.url()).get("code"));
        }
      });

      Response ticket = page.waitForResponse(SignInBrowserTest::isTicket, () -> page.navigate(memberArea));
      FrameLocator chat = page.frameLocator("#app-frame");
      assertThat(chat.locator("#chat-member").textContent()).isEqualTo(m.name());
      remember(page, ticket);
      assertThat(authorizeRequests(urls)).as("one silent round trip through Cobot").isEqualTo(1);
      assertThat(page.frames().stream().filter(f -> f.parentFrame() != null).findFirst().orElseThrow().url())
          .as("code and state leave the frame's URL")
          .startsWith(h.base + "/embed?").doesNotContain("code=");
      assertThat(ticket.request().allHeaders().getOrDefault("cookie", "").contains(SignInHarness.SESSION_COOKIE))
          .as("the session cookie reaches the frame only where the browser keeps partitioned cookies")
          .isEqualTo(mode.partitionedCookies);
      ctx.cookies().forEach(c -> SignInHarness.remember(c.name.startsWith("__Host-cc") ? c.value : null));

      urls.clear();
      Response afterReload = page.waitForResponse(SignInBrowserTest::isTicket, page::reload);
      remember(page, afterReload);
      assertThat(chat.locator("#chat-member").textContent()).isEqualTo(m.name());
      assertThat(authorizeRequests(urls)).as("a reload uses the cookie, or repeats the silent round trip without one")
          .isEqualTo(mode.partitionedCookies ? 0 : 1);

      chat.locator("button:has-text('Sign out')").click();
      chat.locator("[data-notice=signed-out]").waitFor();

      urls.clear();
      page.reload();
      chat.locator("[data-notice=signed-out]").waitFor();
      assertThat(chat.locator("#chat-member").count()).isZero();
      assertThat(urls).noneMatch(u -> u.endsWith("/api/ws-ticket"));
      assertThat(authorizeRequests(urls)).as("signed out stays out; without cookies Cobot's answer is not used")
          .isEqualTo(mode.partitionedCookies ? 0 : 1);

      urls.clear();
      Response again = page.waitForResponse(SignInBrowserTest::isTicket,
          () -> chat.locator("a:has-text('Sign in again')").click());
      remember(page, again);
      assertThat(chat.locator("#chat-member").textContent()).isEqualTo(m.name());
      assertThat(urls).as("the click ran Cobot's sign-in in a popup and handed it to the frame")
          .anyMatch(u -> u.contains("/auth/popup?")).anyMatch(u -> u.endsWith("/auth/handoff"));

      String pageToken = chat.locator("meta[name=page-token]").getAttribute("content");
      assertThat(urls).as("no page token, session or ticket in any URL but the WebSocket's")
          .noneMatch(u -> u.contains(pageToken))
          .noneMatch(u -> u.contains("pt1."))
          .allMatch(u -> !u.contains("code=") || u.contains("/auth/cobot/callback?"));
    }
  }

  @Test
  @DisplayName("first-party mode: the same /embed opened in its own tab always works")
  void a_new_tab_works_when_the_frame_keeps_no_cookies() {
    SimMember m = h.member(space, "Tara Tab");
    try (BrowserContext ctx = launch(Mode.NO_FRAME_COOKIES)) {
      loggedInToCobot(ctx, m);
      Page page = ctx.newPage();
      page.navigate(memberAreaLoopGuard);
      FrameLocator chat = page.frameLocator("#app-frame");
      chat.locator("[data-notice=loop-guard]").waitFor();

      List<Response> tickets = new CopyOnWriteArrayList<>();
      ctx.onResponse(r -> {
        if (isTicket(r)) {
          tickets.add(r);
        }
      });
      Page tab = ctx.waitForPage(() -> chat.locator("a:has-text('Open chat in a new tab')").click());
      tab.waitForCondition(() -> !tickets.isEmpty());
      assertThat(tab.url()).startsWith(h.base + "/embed?");
      assertThat(tab.locator("#chat-member").textContent()).isEqualTo("Tara Tab");
      assertThat(tickets.get(0).request().allHeaders().getOrDefault("cookie", ""))
          .as("top-level, the first-party cookie works").contains(SignInHarness.SESSION_COOKIE);
      SignInHarness.remember(new io.vertx.core.json.JsonObject(tickets.get(0).text()).getString("ticket"));
      SignInHarness.remember(tab.locator("meta[name=page-token]").getAttribute("content"));
      ctx.cookies().forEach(c -> SignInHarness.remember(c.name.startsWith("__Host-cc") ? c.value : null));
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  @DisplayName("no token, code, ticket or page token seen in the browser appears in the suite's log")
  void logs_contain_no_secret_seen_in_the_browser() throws IOException {
    for (var r : h.sim.requestLog()) {
      SignInHarness.remember(r.token());
    }
    String text = Files.readString(Path.of("target/test-logs/suite.jsonl"));
    assertThat(text).contains("member signed in");
    assertThat(SignInHarness.ISSUED).hasSizeGreaterThan(10);
    assertThat(SignInHarness.ISSUED.stream().filter(text::contains).toList()).isEmpty();
  }
}
