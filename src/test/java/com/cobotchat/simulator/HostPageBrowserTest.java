package com.cobotchat.simulator;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Simulator host page in Chromium: cross-site framing and frameHeight resizing")
class HostPageBrowserTest {
  static Vertx vertx;
  static CobotSimulator sim;
  static HttpServer app;
  static Playwright playwright;
  static Browser browser;

  /** A stand-in for the chat page: posts {"frameHeight": 1234} as a JSON string, plus messages to ignore. */
  static final String PAGE = """
      <!DOCTYPE html><html><head><script src="/frame.js" defer></script></head>
      <body><h1 id="who">frame</h1></body></html>""";
  static final String SCRIPT = """
      window.parent.postMessage(JSON.stringify({frameHeight: 1234}), '*');
      window.parent.postMessage({frameHeight: 99}, '*');
      window.parent.postMessage('not json', '*');
      window.parent.postMessage(JSON.stringify({other: 5}), '*');
      document.getElementById('who').textContent = new URLSearchParams(location.search).get('cobot_user_id');
      """;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions()).await();
    app = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/frame.js")) {
        req.response().putHeader("Content-Type", "application/javascript").end(SCRIPT);
      } else {
        req.response().putHeader("Content-Type", "text/html").end(PAGE);
      }
    });
    app.listen(0, "127.0.0.1").await();
    playwright = Playwright.create();
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)
        .setExecutablePath(Paths.get("/usr/bin/chromium"))
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run")));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    app.close().await();
    sim.stop().await();
    vertx.close().await();
  }

  @Test
  void the_framed_page_is_cross_site_and_resizes_its_iframe() {
    SimWorld w = new SimWorld(sim);
    String embed = "http://127.0.0.1:" + app.actualPort() + "/embed";
    new com.cobotchat.testing.Http().postJson(w.spaceApi("/navigation_links"), w.adminToken("navigation"),
        new JsonObject().put("section", "members").put("label", "Chat").put("iframe_url", embed));

    try (BrowserContext context = browser.newContext()) {
      context.addCookies(List.of(new Cookie(CobotSimulator.LOGIN_COOKIE, sim.loginCookie(w.anna.userId()))
          .setDomain("localhost").setPath("/")));
      Page page = context.newPage();
      page.navigate(sim.hostPageUrl(w.sub()));
      assertThat(page.url()).startsWith("http://localhost:");
      page.waitForFunction("() => document.getElementById('app-frame').style.height === '1234px'");
      page.waitForTimeout(300);
      assertThat(page.locator("#app-frame").getAttribute("data-frame-height")).as("objects and other messages ignored")
          .isEqualTo("1234");

      Frame frame = page.frames().stream().filter(f -> f.url().startsWith(embed)).findFirst().orElseThrow();
      assertThat(frame.url()).contains("cobot_embed=true").contains("cobot_user_id=" + w.anna.userId());
      frame.waitForFunction("() => document.getElementById('who').textContent !== 'frame'");
      assertThat(frame.locator("#who").textContent()).isEqualTo(w.anna.userId());
    }
  }
}
