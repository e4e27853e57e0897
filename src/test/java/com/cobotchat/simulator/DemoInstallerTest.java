package com.cobotchat.simulator;

import com.cobotchat.app.AppConfig;
import com.cobotchat.cobot.CobotClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Demo install hook drives a service's install flow like the admin's browser")
class DemoInstallerTest {
  static final List<String> SCOPES = List.of("read_user", "read_memberships", "navigation");
  Vertx vertx;
  CobotSimulator sim;
  HttpServer service;
  CobotClient client;
  String publicUrl;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    sim = CobotSimulator.start(vertx, new SimulatorOptions()).await();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (service != null) {
      service.close().await();
    }
    sim.stop().await();
    vertx.close().await();
  }

  /** A minimal stand-in for the service's install route (issue 6 builds the real one). */
  void startService(boolean withInstallRoute) {
    Router router = Router.router(vertx);
    service = vertx.createHttpServer().requestHandler(router);
    service.listen(0, "127.0.0.1").await();
    publicUrl = "http://127.0.0.1:" + service.actualPort();
    sim.registerClient("demo-client", "demo-secret", publicUrl + "/auth/cobot/callback");
    client = new CobotClient(vertx, AppConfig.fromEnv(Map.of("COBOT_CLIENT_ID", "demo-client",
        "COBOT_CLIENT_SECRET", "demo-secret", "COBOT_SITE", sim.siteUrl(), "COBOT_SPACE_URL", sim.spaceUrlTemplate(),
        "SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop")));
    if (!withInstallRoute) {
      return;
    }
    router.get("/install").handler(ctx -> ctx.redirect(client.authorizeUrl(ctx.request().getParam("space"), SCOPES,
        ctx.request().getParam("space"), null, publicUrl + "/auth/cobot/callback")));
    router.get("/auth/cobot/callback").handler(ctx -> {
      String subdomain = ctx.request().getParam("state");
      client.exchangeCode(ctx.request().getParam("code"), publicUrl + "/auth/cobot/callback", null)
          .compose(token -> client.space(subdomain).compose(space -> client.spaceToken(token, space.id())))
          .compose(st -> client.createNavigationLink(subdomain, st.token(), "members", "Chat", publicUrl + "/embed"))
          .onSuccess(link -> ctx.redirect(link.userUrl()))
          .onFailure(ctx::fail);
    });
  }

  @Test
  void installs_through_the_service_flow_as_the_admin() {
    startService(true);
    DemoSeeder.DemoSpace demo = DemoSeeder.seed(sim);
    DemoInstaller.Outcome outcome = new DemoInstaller(sim).install(publicUrl, DemoSeeder.SUBDOMAIN,
        demo.admin().userId(), "demo-client", SCOPES);
    assertThat(outcome.installed()).as(outcome.detail()).isTrue();
    assertThat(sim.navigationLinks(DemoSeeder.SUBDOMAIN)).singleElement()
        .satisfies(l -> assertThat(l.iframeUrl()).isEqualTo(publicUrl + "/embed"));
  }

  @Test
  void reports_a_missing_install_route() {
    startService(false);
    DemoSeeder.DemoSpace demo = DemoSeeder.seed(sim);
    DemoInstaller.Outcome outcome = new DemoInstaller(sim).install(publicUrl, DemoSeeder.SUBDOMAIN,
        demo.admin().userId(), "demo-client", SCOPES);
    assertThat(outcome.installed()).isFalse();
    assertThat(outcome.detail()).contains("/install");
  }
}
