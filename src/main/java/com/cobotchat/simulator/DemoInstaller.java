package com.cobotchat.simulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Installs the chat into a simulated space through the service's real install flow, acting as the
 * space admin's browser: {@code GET PUBLIC_URL/install?space=S}, then follow redirects between the
 * service and the simulator (the admin is "logged in to Cobot" and has consented) until the flow
 * lands on the navigation link's page. Blocking: call from a plain thread, not an event loop.
 */
public final class DemoInstaller {
  private static final Logger log = LoggerFactory.getLogger(DemoInstaller.class);
  private static final int MAX_HOPS = 12;

  /** How it went; {@code detail} is a short human-readable reason. */
  public record Outcome(boolean installed, String detail) {
  }

  private final CobotSimulator sim;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Map<String, String>> cookies = new LinkedHashMap<>();

  public DemoInstaller(CobotSimulator sim) {
    this.sim = sim;
  }

  /**
   * Runs the install as {@code adminUserId}; consent for {@code clientId} is granted beforehand so the
   * flow needs no clicks.
   */
  public Outcome install(String publicUrl, String subdomain, String adminUserId, String clientId, List<String> scopes) {
    sim.grantConsent(adminUserId, clientId, scopes.toArray(String[]::new));
    cookies.computeIfAbsent(origin(sim.siteUrl()), k -> new LinkedHashMap<>())
        .put(CobotSimulator.LOGIN_COOKIE, sim.loginCookie(adminUserId));
    String url = publicUrl + "/install?space=" + subdomain;
    try {
      for (int hop = 0; hop < MAX_HOPS; hop++) {
        HttpResponse<String> r = get(url);
        int status = r.statusCode();
        if (hop == 0 && status == 404) {
          return new Outcome(false, "the service has no /install route yet");
        }
        if (status < 300 || status >= 400) {
          boolean linked = !sim.navigationLinks(subdomain).isEmpty();
          return new Outcome(linked, linked ? "installed" : "install flow ended with HTTP " + status);
        }
        String location = r.headers().firstValue("Location").orElse(null);
        if (location == null) {
          return new Outcome(false, "redirect without Location");
        }
        url = URI.create(url).resolve(location).toString();
        if (url.startsWith(sim.hostPageUrl(subdomain)) || url.startsWith(sim.spaceUrl(subdomain) + "/navigation_links/")) {
          return new Outcome(!sim.navigationLinks(subdomain).isEmpty(), "installed");
        }
      }
      return new Outcome(false, "too many redirects");
    } catch (IOException e) {
      log.atWarn().addKeyValue("error", e.getClass().getSimpleName()).log("demo install failed");
      return new Outcome(false, "could not reach the service: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted");
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    String origin = origin(url);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
    Map<String, String> jar = cookies.getOrDefault(origin, Map.of());
    if (!jar.isEmpty()) {
      b.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    for (String set : r.headers().allValues("Set-Cookie")) {
      String pair = set.split(";", 2)[0];
      int eq = pair.indexOf('=');
      if (eq > 0) {
        cookies.computeIfAbsent(origin, k -> new LinkedHashMap<>()).put(pair.substring(0, eq).trim(),
            pair.substring(eq + 1).trim());
      }
    }
    return r;
  }

  private static String origin(String url) {
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getRawAuthority();
  }
}
