package com.cobotchat.web;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Adds security headers to every response. Pages are not frameable ({@code frame-ancestors 'none'}
 * and {@code X-Frame-Options: DENY}) unless a handler calls {@link #allowFraming}, which the pages
 * Cobot frames do; they then carry {@code frame-ancestors} from FRAME_ANCESTORS plus the space's
 * custom domain and no {@code X-Frame-Options}.
 */
public final class SecurityHeaders {
  private static final String FRAME_KEY = "cobotchat.frameAncestors";
  private final List<String> frameAncestors;
  private final String wsOrigin;

  public SecurityHeaders(List<String> frameAncestors, String publicOrigin) {
    this.frameAncestors = List.copyOf(frameAncestors);
    this.wsOrigin = publicOrigin.replaceFirst("^http", "ws");
  }

  /** Marks the current response as a page Cobot may frame; {@code customDomain} may be null. */
  public static void allowFraming(RoutingContext ctx, String customDomain) {
    ctx.put(FRAME_KEY, customDomain == null ? "" : customDomain);
  }

  public void handle(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> apply(ctx));
    ctx.next();
  }

  private void apply(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    String framing = ctx.get(FRAME_KEY);
    String ancestors;
    if (framing == null) {
      ancestors = "'none'";
      r.putHeader("X-Frame-Options", "DENY");
    } else {
      ancestors = Stream.concat(frameAncestors.stream(), customDomainOrigin(framing))
          .distinct().collect(Collectors.joining(" "));
      r.headers().remove("X-Frame-Options");
    }
    r.putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' https: data:; connect-src 'self' " + wsOrigin + "; object-src 'none'; base-uri 'none'; "
        + "form-action 'self' " + String.join(" ", frameAncestors) + "; frame-ancestors " + ancestors);
    r.putHeader("X-Content-Type-Options", "nosniff");
    r.putHeader("Referrer-Policy", "no-referrer");
  }

  private static Stream<String> customDomainOrigin(String domain) {
    if (domain.isEmpty() || !domain.matches("[A-Za-z0-9.-]+")) {
      return Stream.empty();
    }
    return Stream.of("https://" + domain);
  }
}
