package com.cobotchat.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A test HTTP server on 127.0.0.1 that records POSTs and answers with a status chosen per call. */
public final class WebhookReceiver {
  /** One received request. */
  public record Received(String path, JsonObject body, long nanoTime) {
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private volatile Function<Received, Integer> answer = r -> 200;

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  public static WebhookReceiver start(Vertx vertx) {
    WebhookReceiver[] holder = new WebhookReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(buf -> {
      Received r = new Received(req.path(), buf.length() == 0 ? new JsonObject() : buf.toJsonObject(),
          System.nanoTime());
      holder[0].received.add(r);
      int status = holder[0].answer.apply(r);
      if (status == 302) {
        req.response().setStatusCode(302).putHeader("Location", holder[0].url("/moved")).end();
      } else if (status < 0) {
        // never answer: the sender must time out
      } else {
        req.response().setStatusCode(status).end();
      }
    }));
    holder[0] = new WebhookReceiver(server);
    server.listen(0, "127.0.0.1").await();
    return holder[0];
  }

  /** Answer every request with this status; 302 redirects to /moved, a negative value never answers. */
  public void answer(int status) {
    this.answer = r -> status;
  }

  public void answer(Function<Received, Integer> answer) {
    this.answer = answer;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public List<Received> received(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Waits until at least {@code n} requests arrived at {@code path}. */
  public List<Received> await(String path, int n, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      List<Received> r = received(path);
      if (r.size() >= n) {
        return r;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("expected " + n + " requests at " + path + " within " + timeout + ", got "
        + received(path).size());
  }

  public void stop() {
    server.close().await();
  }
}
