package com.cobotchat.app;

import com.cobotchat.chat.ChatHub;
import com.cobotchat.space.DirectoryApi;
import com.cobotchat.sso.ApiAuth;
import com.cobotchat.sso.MemberSignIn;
import com.cobotchat.sso.SignIn;
import com.cobotchat.sync.Sync;
import com.cobotchat.sync.SyncAdmin;
import com.cobotchat.sync.WebhookReceiver;
import com.cobotchat.web.Health;
import com.cobotchat.web.Pages;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.concurrent.TimeUnit;

/** The HTTP edge of one event loop. The route table below is the map of the service. */
public final class HttpVerticle extends VerticleBase {
  private final Services services;
  private HttpServer server;
  private ChatHub chat;

  public HttpVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    Health health = new Health(services.pool());
    Pages pages = new Pages(services.templates());
    chat = new ChatHub(services, vertx);
    SignIn signIn = SignIn.create(services, services.cobot());
    Sync sync = services.sync();
    SyncAdmin syncAdmin = sync.admin(signIn.authenticator(), signIn.csrf());

    Router router = Router.router(vertx);
    router.route().handler(services.securityHeaders()::handle);

    router.get("/").handler(pages::home);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(services.registry()));
    router.get("/ws").handler(chat::accept);
    router.get("/embed").handler(signIn.pages()::embed);
    // One redirect URI: install states go to the install, every other state on to the member sign-in.
    router.get(MemberSignIn.CALLBACK_PATH).handler(sync.installFlow()::callback).handler(signIn.pages()::callback);
    router.get("/auth/popup").handler(signIn.pages()::popup);
    router.post("/auth/handoff").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(signIn.pages()::handoff);
    router.post("/logout").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(signIn.logout()::handle);
    router.post("/api/ws-ticket").handler(signIn.tickets()::issue);
    ApiAuth api = new ApiAuth(signIn.authenticator(), signIn.csrf());
    DirectoryApi directory = new DirectoryApi(services.members());
    router.get("/api/members").handler(api::require).handler(directory::list);
    router.put("/api/me/profile").handler(BodyHandler.create(false).setBodyLimit(8192)).handler(api::require)
        .handler(directory::saveProfile);
    router.get("/install").handler(sync.installFlow()::start);
    router.post("/hooks/cobot/:secret/:event").handler(WebhookReceiver.bodyHandler()).handler(sync.receiver()::receive);
    router.get("/api/admin/sync").handler(syncAdmin::status);
    router.post("/api/admin/sync/reconcile").handler(syncAdmin::reconcile);
    router.post("/api/admin/uninstall").handler(syncAdmin::uninstall);
    router.get("/static/*").handler(StaticHandler.create("webroot").setMaxAgeSeconds(3600));

    router.route().last().handler(services.errors()::notFound);
    router.route().failureHandler(services.errors()::handle);

    server = vertx.createHttpServer(new HttpServerOptions()
        .setMaxWebSocketFrameSize(64 * 1024)
        .setMaxWebSocketMessageSize(64 * 1024)
        .setCompressionSupported(true)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false));
    return chat.start().compose(v -> server.requestHandler(router).listen(services.config().port()));
  }

  @Override
  public Future<?> stop() {
    Future<Void> sockets = chat == null ? Future.succeededFuture() : chat.stop();
    return sockets.eventually(() -> server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS));
  }
}
