package com.cobotchat.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** A small blocking HTTP client for tests: no redirects followed, optional bearer token and cookie. */
public final class Http {
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** A response with helpers for JSON bodies and headers. */
  public record Response(int status, String body, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray jsonArray() {
      return new JsonArray(body);
    }

    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    public String location() {
      return headers.firstValue("Location").orElseThrow(() -> new AssertionError("no Location header, status "
          + status + ": " + body));
    }

    /** The value of a cookie set by this response, if any. */
    public Optional<String> cookie(String name) {
      return headers.allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
          .map(c -> c.substring(name.length() + 1).split(";", 2)[0]).findFirst();
    }
  }

  public Response get(String url) {
    return send(base(url).GET().build());
  }

  public Response get(String url, String token) {
    return send(auth(base(url), token).GET().build());
  }

  public Response getWithCookie(String url, String cookie) {
    return send(base(url).header("Cookie", cookie).GET().build());
  }

  public Response delete(String url, String token) {
    return send(auth(base(url), token).DELETE().build());
  }

  public Response postJson(String url, String token, JsonObject body) {
    return send(auth(base(url), token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  public Response postForm(String url, Map<String, String> form) {
    return postForm(url, form, null);
  }

  public Response postForm(String url, Map<String, String> form, String cookie) {
    HttpRequest.Builder b = base(url).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return send(b.build());
  }

  public static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** Query parameters of a URL (decoded). */
  public static Map<String, String> query(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = URI.create(url).getRawQuery();
    if (q != null) {
      for (String pair : q.split("&")) {
        String[] kv = pair.split("=", 2);
        out.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return out;
  }

  private static HttpRequest.Builder base(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
  }

  private static HttpRequest.Builder auth(HttpRequest.Builder b, String token) {
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
