package com.cobotchat.web;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.Application;
import com.cobotchat.app.DatabaseUrl;
import com.cobotchat.simulator.CobotSimulator;
import com.cobotchat.simulator.SimMember;
import com.cobotchat.simulator.SimulatorOptions;
import com.cobotchat.space.Member;
import com.cobotchat.testing.Await;
import com.cobotchat.testing.Http;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * The Cobot simulator, one node of the service pointed at it, and one headless Chromium, shared by
 * a browser test class. Members open the chat the way they would in Cobot: the simulator's host page
 * on {@code localhost} frames the service on {@code 127.0.0.1} (cross-site) and the sign-in runs
 * through OAuth inside the iFrame. Each test makes its own space with {@link #installedSpace}.
 */
final class ChatWorld implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  static final double TIMEOUT_MS = 15_000;

  final Vertx simVertx = Vertx.vertx();
  final CobotSimulator sim;
  final DatabaseUrl db;
  final int port;
  final String publicUrl;
  final Http http = new Http();
  final Playwright playwright;
  final Browser browser;
  private final Map<String, String> env;
  private Application app;
  private final String axe;

  /** A space installed in the service: its subdomain and id, and its admin. */
  record TestSpace(String sub, long id, SimMember admin) {
  }

  ChatWorld(String name) {
    sim = CobotSimulator.start(simVertx, new SimulatorOptions()
        .webhookRetryDelays(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200)))
        .maxWebhookRetries(3)
        .membershipListPerWindow(1000)
        .requestsPerWindow(100_000)).await();
    db = TestDatabases.fresh(name);
    port = TestConfigs.freePort();
    publicUrl = "http://127.0.0.1:" + port;
    TestConfigs.registerClient(sim, publicUrl);
    env = TestConfigs.talkingTo(TestConfigs.env(db, port), sim);
    env.put("FRAME_ANCESTORS", "https://*.cobot.me " + sim.siteUrl());
    env.putAll(TestConfigs.FAST_SYNC);
    app = Application.start(config(), l -> { }, sim.clock());
    playwright = Playwright.create();
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)
        .setExecutablePath(Paths.get("/usr/bin/chromium"))
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            // The frame derives its height from the screen; the framed (out-of-process) renderer sees this, not emulation.
            "--screen-info={1280x900}")));
    try (InputStream in = ChatWorld.class.getResourceAsStream("/axe/axe.min.js")) {
      axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  AppConfig config() {
    return AppConfig.fromEnv(env);
  }

  Application app() {
    return app;
  }

  /** Stops the node (its sockets close with 1001) and starts it again on the same port and database. */
  void stopNode() {
    app.stop();
  }

  void startNode() {
    app = Application.start(config(), l -> { }, sim.clock());
  }

  /** A space at the simulated Cobot with an admin and the given members (name → plan), installed in the service. */
  TestSpace installedSpace(String title, Map<String, String> members, Map<String, SimMember> out) {
    String sub = "ui" + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xfff);
    sim.createSpace(sub, title);
    SimMember admin = sim.addMember(sub, "Ada Admin", "Fixed Desk");
    sim.makeAdmin(sub, admin.userId(), "Ada Admin");
    members.forEach((name, plan) -> out.put(name, sim.addMember(sub, name, plan)));
    String token = sim.issueTokenFor(TestConfigs.CLIENT_ID, admin.userId(), "read_user", "read_memberships", "write_subscriptions",
        "read_subscriptions", "navigation");
    JsonObject user = http.get(sim.siteUrl() + "/api/user", token).json();
    app.services().sync().installer().complete(sub, token, user).await();
    long id = app.services().spaces().findBySubdomain(sub).await().orElseThrow().id();
    return new TestSpace(sub, id, admin);
  }

  Member member(TestSpace space, SimMember who) {
    return app.services().members().findByCobotUser(space.id(), who.userId()).await().orElseThrow();
  }

  /** A browser context signed in to Cobot as this member, with the chat open in Cobot's host page. */
  ChatUi open(TestSpace space, SimMember who, String locale, int width, int height) {
    sim.grantConsent(who.userId(), TestConfigs.CLIENT_ID, "read_user");
    BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height)
        .setDeviceScaleFactor(1).setLocale(locale.equals("de") ? "de-DE" : "en-GB").setTimezoneId("UTC"));
    context.setDefaultTimeout(TIMEOUT_MS);
    context.addCookies(List.of(new Cookie(CobotSimulator.LOGIN_COOKIE, sim.loginCookie(who.userId()))
        .setDomain("localhost").setPath("/").setSecure(true).setSameSite(SameSiteAttribute.NONE)));
    Page page = context.newPage();
    ChatUi ui = new ChatUi(this, context, page, who);
    page.navigate(sim.hostPageUrl(space.sub()) + "?locale=" + locale);
    ui.awaitConnected();
    return ui;
  }

  ChatUi open(TestSpace space, SimMember who) {
    return open(space, who, "en", 1100, 860);
  }

  String axeSource() {
    return axe;
  }

  static Path screenshotDir() {
    Path dir = Paths.get(System.getProperty("screenshots.dir", "target/screenshots"));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  static void awaitUntil(String what, BooleanSupplier condition, Duration timeout) {
    Await.until(what, condition, timeout);
  }

  @Override
  public void close() {
    try {
      browser.close();
      playwright.close();
    } finally {
      try {
        if (app != null) {
          app.stop();
        }
      } finally {
        sim.stop().await();
        simVertx.close().await();
        TestDatabases.drop(db);
      }
    }
  }

  /** One member's browser tab: Cobot's host page with the chat in its iFrame. */
  static final class ChatUi implements AutoCloseable {
    final ChatWorld world;
    final BrowserContext context;
    final Page page;
    final SimMember who;
    final FrameLocator frame;
    final List<String> cspViolations = Collections.synchronizedList(new ArrayList<>());
    final List<String> dialogs = Collections.synchronizedList(new ArrayList<>());

    ChatUi(ChatWorld world, BrowserContext context, Page page, SimMember who) {
      this.world = world;
      this.context = context;
      this.page = page;
      this.who = who;
      this.frame = page.frameLocator("#app-frame");
      page.onConsoleMessage(m -> {
        if (m.text().contains("Content Security Policy")) {
          cspViolations.add(m.text());
        }
      });
      page.onDialog(d -> {
        dialogs.add(d.message());
        d.dismiss();
      });
    }

    Locator $(String selector) {
      return frame.locator(selector);
    }

    com.microsoft.playwright.Frame chatFrame() {
      return page.frames().stream().filter(f -> f.url().startsWith(world.publicUrl)).findFirst().orElseThrow();
    }

    void awaitConnected() {
      assertThat($("#chat")).hasAttribute("data-conn", "open");
      assertThat($("#composer-input")).isEnabled();
    }

    void send(String text) {
      Locator input = $("#composer-input");
      input.fill(text);
      input.press("Enter");
    }

    /** The list item of the newest message whose text contains this. */
    Locator message(String text) {
      return $("#message-list li.msg").filter(new Locator.FilterOptions().setHasText(text)).last();
    }

    Locator roomButton(String name) {
      return $(".room-button").filter(new Locator.FilterOptions().setHasText(name));
    }

    void view(String name) {
      $(".view-button[data-view=\"" + name + "\"]").click();
      assertThat($("#view-" + name)).isVisible();
    }

    /** Runs axe-core in the chat frame; returns the violations with impact serious or critical. */
    List<Map<String, Object>> seriousA11yViolations() {
      com.microsoft.playwright.Frame f = chatFrame();
      f.evaluate(world.axeSource());
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> found = (List<Map<String, Object>>) f.evaluate("""
          () => axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) })))""");
      return found;
    }

    void screenshot(String name) {
      page.mouse().move(0, 0);
      chatFrame().evaluate("() => { if (document.activeElement) { document.activeElement.blur(); }"
          + " document.querySelectorAll('.view-directory, .view-admin').forEach(v => { v.scrollTop = 0; }); }");
      page.locator("#app-frame").screenshot(new Locator.ScreenshotOptions().setPath(screenshotDir().resolve(name + ".png")));
    }

    @Override
    public void close() {
      context.close();
    }
  }
}
