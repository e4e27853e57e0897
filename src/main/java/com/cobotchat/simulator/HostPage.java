package com.cobotchat.simulator;

import com.cobotchat.web.Templates;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The simulated Cobot member area ({@code /host/{subdomain}}): a left navigation with the space's
 * navigation links, the selected link's {@code iframe_url} framed with Cobot's {@code cobot_*}
 * parameters, a member switcher, and in demo mode buttons that change memberships.
 */
final class HostPage {
  private static final Set<String> LOCALES = Set.of("en", "de", "fr", "es", "nl");
  private static final Map<String, String> ASSETS = Map.of(
      "host.js", "application/javascript; charset=utf-8",
      "cobot.css", "text/css; charset=utf-8",
      "placeholder.svg", "image/svg+xml");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; "
      + "frame-src http: https:; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'";

  private final CobotSimulator sim;
  private final SimState state;
  private final Templates templates;
  private final SimulatorOptions options;
  private final Map<String, Buffer> assets = new LinkedHashMap<>();

  HostPage(CobotSimulator sim, SimState state, Templates templates, SimulatorOptions options) {
    this.sim = sim;
    this.state = state;
    this.templates = templates;
    this.options = options;
    ASSETS.keySet().forEach(name -> assets.put(name, load(name)));
  }

  void page(RoutingContext ctx) {
    Optional<SimState.Space> found = state.space(ctx.pathParam("subdomain"));
    if (found.isEmpty()) {
      SimHttp.text(ctx, 404, "No such space");
      return;
    }
    SimState.Space space = found.get();
    String locale = Optional.ofNullable(ctx.request().getParam("locale")).filter(LOCALES::contains).orElse("en");
    Optional<SimState.User> viewer = state.loggedInUser(SimOAuth.loginCookie(ctx)).flatMap(state::user);
    boolean admin = viewer.map(u -> state.isAdmin(space.subdomain, u.id())).orElse(false);

    List<SimNavigationLink> visible = state.links(space.subdomain).stream()
        .filter(l -> l.section().equals("members") || admin).toList();
    String wanted = ctx.request().getParam("link");
    SimNavigationLink selected = visible.stream().filter(l -> l.id().equals(wanted)).findFirst()
        .orElse(visible.stream().filter(l -> l.section().equals("members")).findFirst().orElse(null));
    List<SimPages.NavItem> nav = visible.stream().map(l -> new SimPages.NavItem(l.id(), l.label(), l.section(),
        "/host/" + space.subdomain + "?locale=" + locale + "&link=" + l.id(), l == selected)).toList();
    SimPages.NavItem selectedItem = nav.stream().filter(SimPages.NavItem::active).findFirst().orElse(null);
    String frameUrl = selected == null || viewer.isEmpty() ? null
        : frameUrl(selected, space, viewer.get().id(), locale);

    List<SimPages.Person> people = new ArrayList<>();
    for (SimState.User u : state.users()) {
      boolean isAdmin = state.isAdmin(space.subdomain, u.id());
      Optional<SimState.Membership> m = state.memberships(space.subdomain, x -> u.id().equals(x.userId)).stream()
          .findFirst();
      if (isAdmin || m.isPresent()) {
        people.add(new SimPages.Person(u.id(), u.name(), describe(m.orElse(null), isAdmin)));
      }
    }
    List<SimPages.Person> members = state.memberships(space.subdomain, m -> true).stream()
        .sorted(Comparator.comparing((SimState.Membership m) -> m.name))
        .map(m -> new SimPages.Person(m.id, m.name, describe(m, false))).toList();
    List<Delivery> all = sim.deliveries();
    List<SimPages.DeliveryRow> deliveries = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0 && deliveries.size() < 8; i--) {
      Delivery d = all.get(i);
      if (state.subscription(d.subscriptionId()).map(s -> s.subdomain.equals(space.subdomain)).orElse(false)) {
        deliveries.add(new SimPages.DeliveryRow(d.event(), d.status(), d.attempt(), TIME.format(d.at())));
      }
    }
    List<String> plans = state.memberships(space.subdomain, m -> true).stream().map(m -> m.planName).distinct()
        .sorted().toList();

    ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("Referrer-Policy", "no-referrer");
    templates.send(ctx, 200, "simulator/host.jte", new SimPages.Host(space.name, space.subdomain, locale,
        viewer.map(u -> new SimPages.Person(u.id(), u.name(), u.email())).orElse(null), admin, nav, selectedItem,
        frameUrl, people, options.demoControls(), members, plans.isEmpty() ? List.of("Flex Desk") : plans,
        deliveries, state.today().toString(), sim.installHint()));
  }

  /** The iFrame URL the way Cobot builds it: the link's iframe_url plus the cobot_* parameters. */
  String frameUrl(SimNavigationLink link, SimState.Space space, String userId, String locale) {
    String base = link.iframeUrl();
    return base + (base.contains("?") ? "&" : "?") + "cobot_embed=true"
        + "&cobot_subdomain=" + enc(space.subdomain)
        + "&cobot_user_id=" + enc(userId)
        + "&cobot_locale=" + enc(locale)
        + "&cobot_space_id=" + enc(space.id)
        + "&cobot_section=" + enc(link.section());
  }

  void linkPage(RoutingContext ctx) {
    SimHttp.redirect(ctx, state.siteUrl() + "/host/" + ctx.pathParam("subdomain") + "?link=" + enc(ctx.pathParam("id")));
  }

  void spaceHome(RoutingContext ctx) {
    SimHttp.redirect(ctx, state.siteUrl() + "/host/" + ctx.pathParam("subdomain"));
  }

  void asset(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    Buffer body = assets.get(name);
    if (body == null) {
      SimHttp.error(ctx, 404, "not found");
      return;
    }
    ctx.response().putHeader("Content-Type", ASSETS.get(name)).putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff").end(body);
  }

  private String describe(SimState.Membership m, boolean admin) {
    List<String> parts = new ArrayList<>();
    if (admin) {
      parts.add("admin");
    }
    if (m != null) {
      parts.add(m.planName);
      if (m.userId == null) {
        parts.add("no Cobot account");
      }
      if (m.confirmedAt == null) {
        parts.add("unconfirmed");
      }
      if (m.canceledTo != null) {
        parts.add((m.canceledTo.isBefore(state.today()) ? "ended " : "canceled to ") + m.canceledTo);
      }
    }
    return String.join(" · ", parts);
  }

  private static Buffer load(String name) {
    try (InputStream in = HostPage.class.getResourceAsStream("/simulator-assets/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing simulator asset " + name);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
