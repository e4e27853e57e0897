package com.cobotchat.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Everything the simulated Cobot knows, in memory. Every method is synchronized on this object:
 * HTTP handlers (event loop) and control calls (test threads) share it. Changes to memberships
 * hand webhook events to the {@link EventSink}.
 */
final class SimState {
  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd", Locale.ROOT);
  static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss Z", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  interface EventSink {
    void fire(String subdomain, String event, JsonObject payload);
  }

  record Client(String id, String secret, String redirectUri) {
  }

  record User(String id, String name, String email) {
  }

  record Token(String value, String clientId, String userId, List<String> scopes, String spaceId) {
    boolean has(String scope) {
      return scopes.contains(scope);
    }
  }

  record Code(String value, String clientId, String userId, List<String> scopes, String redirectUri,
      boolean redirectUriSent, String challenge, Instant expiresAt) {
  }

  static final class Space {
    final String id;
    final String subdomain;
    String name;
    String customDomain;
    final Map<String, String> admins = new LinkedHashMap<>();

    Space(String id, String subdomain, String name) {
      this.id = id;
      this.subdomain = subdomain;
      this.name = name;
    }

    SimSpace snapshot() {
      return new SimSpace(id, subdomain, name, customDomain);
    }
  }

  static final class Membership {
    final String id;
    final String subdomain;
    final Instant createdAt;
    String userId;
    String name;
    String email;
    String phone;
    String planName;
    Instant confirmedAt;
    LocalDate startsAt;
    LocalDate canceledTo;
    boolean cancellationReached;
    int pictureVersion;
    boolean deleted;

    Membership(String id, String subdomain, Instant createdAt) {
      this.id = id;
      this.subdomain = subdomain;
      this.createdAt = createdAt;
    }
  }

  static final class Subscription {
    final String id;
    final String subdomain;
    final String clientId;
    final String event;
    final String callbackUrl;
    boolean active = true;

    Subscription(String id, String subdomain, String clientId, String event, String callbackUrl) {
      this.id = id;
      this.subdomain = subdomain;
      this.clientId = clientId;
      this.event = event;
      this.callbackUrl = callbackUrl;
    }

    SimSubscription snapshot() {
      return new SimSubscription(id, subdomain, clientId, event, callbackUrl, active);
    }
  }

  private final SimulatorOptions options;
  private final EventSink sink;
  private String origin = "http://localhost";
  private Duration clockOffset = Duration.ZERO;
  private final Map<String, Client> clients = new LinkedHashMap<>();
  private final Map<String, Space> spaces = new LinkedHashMap<>();
  private final Map<String, User> users = new LinkedHashMap<>();
  private final Map<String, Membership> memberships = new LinkedHashMap<>();
  private final Map<String, Token> tokens = new LinkedHashMap<>();
  private final Map<String, Code> codes = new LinkedHashMap<>();
  private final Map<String, Set<String>> consents = new LinkedHashMap<>();
  private final Map<String, String> logins = new LinkedHashMap<>();
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final Map<String, SimNavigationLink> links = new LinkedHashMap<>();

  SimState(SimulatorOptions options, EventSink sink) {
    this.options = options;
    this.sink = sink;
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // ---- clock and URLs

  synchronized void origin(String origin) {
    this.origin = origin;
  }

  synchronized String siteUrl() {
    return origin;
  }

  synchronized String spaceBase(String subdomain) {
    return origin + "/space/" + subdomain;
  }

  synchronized Instant now() {
    return Instant.now().plus(clockOffset);
  }

  synchronized LocalDate today() {
    return LocalDate.ofInstant(now(), ZoneOffset.UTC);
  }

  synchronized void advanceClock(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("the clock only moves forward");
    }
    clockOffset = clockOffset.plus(by);
    checkCancellationDates();
  }

  /** Fires {@code membership_cancellation_date_reached} for memberships whose last day has passed. */
  synchronized void checkCancellationDates() {
    LocalDate today = today();
    for (Membership m : memberships.values()) {
      if (!m.deleted && m.canceledTo != null && !m.cancellationReached && m.canceledTo.isBefore(today)) {
        m.cancellationReached = true;
        fire(m, "membership_cancellation_date_reached");
      }
    }
  }

  // ---- clients, spaces, users, memberships

  synchronized void registerClient(String clientId, String secret, String redirectUri) {
    clients.put(clientId, new Client(clientId, secret, redirectUri));
  }

  synchronized Optional<Client> client(String clientId) {
    return Optional.ofNullable(clientId).map(clients::get);
  }

  synchronized String defaultClientId() {
    return clients.keySet().stream().findFirst().orElse("sim-test-client");
  }

  synchronized SimSpace createSpace(String subdomain, String name) {
    if (!subdomain.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      throw new IllegalArgumentException("invalid subdomain: " + subdomain);
    }
    if (spaces.containsKey(subdomain)) {
      throw new IllegalArgumentException("space exists: " + subdomain);
    }
    Space space = new Space(randomHex(16), subdomain, name);
    spaces.put(subdomain, space);
    return space.snapshot();
  }

  synchronized Optional<Space> space(String subdomain) {
    return Optional.ofNullable(subdomain).map(spaces::get);
  }

  synchronized Optional<Space> spaceById(String id) {
    return spaces.values().stream().filter(s -> s.id.equals(id)).findFirst();
  }

  synchronized List<SimSpace> spaces() {
    return spaces.values().stream().map(Space::snapshot).toList();
  }

  synchronized void setCustomDomain(String subdomain, String domain) {
    requireSpace(subdomain).customDomain = domain;
  }

  synchronized String createUser(String name, String email) {
    String id = randomHex(16);
    users.put(id, new User(id, name, email));
    return id;
  }

  synchronized Optional<User> user(String id) {
    return Optional.ofNullable(id).map(users::get);
  }

  synchronized List<User> users() {
    return List.copyOf(users.values());
  }

  synchronized String addMembership(String subdomain, String userId, String name, String planName) {
    requireSpace(subdomain);
    Membership m = new Membership(randomHex(16), subdomain, now());
    if (userId != null) {
      User u = requireUser(userId);
      m.userId = userId;
      m.email = u.email();
    } else {
      m.email = slug(name) + "@members.example.com";
    }
    m.name = name;
    m.planName = planName;
    m.phone = "+49 30 " + (1000000 + RANDOM.nextInt(8999999));
    m.startsAt = today();
    memberships.put(m.id, m);
    fire(m, "created_membership");
    return m.id;
  }

  synchronized void confirm(String membershipId) {
    Membership m = requireMembership(membershipId);
    if (m.confirmedAt == null) {
      m.confirmedAt = now();
      fire(m, "confirmed_membership");
    }
  }

  synchronized void connectUser(String membershipId, String userId) {
    Membership m = requireMembership(membershipId);
    User u = requireUser(userId);
    m.userId = userId;
    m.email = u.email();
    fire(m, "connected_user");
  }

  synchronized void cancel(String membershipId, LocalDate canceledTo) {
    Membership m = requireMembership(membershipId);
    m.canceledTo = Objects.requireNonNull(canceledTo);
    m.cancellationReached = false;
    fire(m, "canceled_membership");
    checkCancellationDates();
  }

  synchronized void uncancel(String membershipId) {
    Membership m = requireMembership(membershipId);
    m.canceledTo = null;
    m.cancellationReached = false;
    fire(m, "uncanceled_membership");
  }

  synchronized void reactivate(String membershipId) {
    Membership m = requireMembership(membershipId);
    m.canceledTo = null;
    m.cancellationReached = false;
    if (m.confirmedAt == null) {
      m.confirmedAt = now();
    }
    fire(m, "reactivated_membership");
  }

  synchronized void deleteMembership(String membershipId) {
    Membership m = requireMembership(membershipId);
    JsonObject object = membershipJson(m);
    m.deleted = true;
    sink.fire(m.subdomain, "deleted_membership",
        new JsonObject().put("url", membershipUrl(m)).put("membership", object));
  }

  synchronized void changePlan(String membershipId, String planName) {
    Membership m = requireMembership(membershipId);
    m.planName = planName;
    fire(m, "changed_membership_plan");
    fire(m, "membership_plan_change_date_reached");
  }

  synchronized void rename(String membershipId, String name) {
    Membership m = requireMembership(membershipId);
    m.name = name;
    fire(m, "updated_membership_details");
  }

  synchronized void changePicture(String membershipId) {
    Membership m = requireMembership(membershipId);
    m.pictureVersion++;
    fire(m, "updated_membership_picture");
  }

  synchronized void makeAdmin(String subdomain, String userId, String name) {
    requireUser(userId);
    requireSpace(subdomain).admins.put(userId, name);
  }

  synchronized void removeAdmin(String subdomain, String userId) {
    requireSpace(subdomain).admins.remove(userId);
  }

  synchronized boolean isAdmin(String subdomain, String userId) {
    return space(subdomain).map(s -> userId != null && s.admins.containsKey(userId)).orElse(false);
  }

  synchronized Optional<Membership> membership(String id) {
    return Optional.ofNullable(id).map(memberships::get).filter(m -> !m.deleted);
  }

  synchronized List<Membership> memberships(String subdomain, Predicate<Membership> filter) {
    return memberships.values().stream().filter(m -> !m.deleted && m.subdomain.equals(subdomain))
        .filter(filter).toList();
  }

  /** Members as Cobot's list returns them: confirmed and not past their last day. */
  synchronized boolean isCurrent(Membership m) {
    return m.confirmedAt != null && (m.canceledTo == null || !m.canceledTo.isBefore(today()));
  }

  // ---- OAuth

  synchronized String login(String userId) {
    requireUser(userId);
    String session = randomHex(24);
    logins.put(session, userId);
    return session;
  }

  synchronized void logout(String session) {
    logins.remove(session);
  }

  synchronized Optional<String> loggedInUser(String session) {
    return Optional.ofNullable(session).map(logins::get);
  }

  synchronized boolean hasConsent(String userId, String clientId, List<String> scopes) {
    return consents.getOrDefault(userId + " " + clientId, Set.of()).containsAll(scopes);
  }

  synchronized void grantConsent(String userId, String clientId, List<String> scopes) {
    consents.computeIfAbsent(userId + " " + clientId, k -> new LinkedHashSet<>()).addAll(scopes);
  }

  synchronized String issueCode(String clientId, String userId, List<String> scopes, String redirectUri,
      boolean redirectUriSent, String challenge) {
    String value = randomHex(20);
    codes.put(value, new Code(value, clientId, userId, List.copyOf(scopes), redirectUri, redirectUriSent, challenge,
        now().plus(options.codeLifetime())));
    return value;
  }

  /** Removes and returns the code: a code is usable once, whatever the outcome of the exchange. */
  synchronized Optional<Code> takeCode(String value) {
    return Optional.ofNullable(value).map(codes::remove);
  }

  synchronized String issueToken(String clientId, String userId, List<String> scopes, String spaceId) {
    requireUser(userId);
    String value = randomHex(32);
    tokens.put(value, new Token(value, clientId, userId, List.copyOf(scopes), spaceId));
    return value;
  }

  synchronized Optional<Token> token(String value) {
    return Optional.ofNullable(value).map(tokens::get);
  }

  synchronized boolean revokeToken(String value) {
    return tokens.remove(value) != null;
  }

  // ---- subscriptions and navigation links

  synchronized Optional<Subscription> findSubscription(String subdomain, String clientId, String event, String url) {
    return subscriptions.values().stream().filter(s -> s.subdomain.equals(subdomain) && s.clientId.equals(clientId)
        && s.event.equals(event) && s.callbackUrl.equals(url)).findFirst();
  }

  synchronized Subscription addSubscription(String subdomain, String clientId, String event, String url) {
    findSubscription(subdomain, clientId, event, url).filter(s -> !s.active)
        .ifPresent(old -> subscriptions.remove(old.id));
    Subscription s = new Subscription(randomHex(12), subdomain, clientId, event, url);
    subscriptions.put(s.id, s);
    return s;
  }

  synchronized Optional<Subscription> subscription(String id) {
    return Optional.ofNullable(id).map(subscriptions::get);
  }

  synchronized boolean deleteSubscription(String id) {
    return subscriptions.remove(id) != null;
  }

  synchronized void deactivate(String subscriptionId) {
    subscription(subscriptionId).ifPresent(s -> s.active = false);
  }

  synchronized boolean isActive(String subscriptionId) {
    return subscription(subscriptionId).map(s -> s.active).orElse(false);
  }

  synchronized List<SimSubscription> subscriptions(String subdomain) {
    return subscriptions.values().stream().filter(s -> s.subdomain.equals(subdomain)).map(Subscription::snapshot)
        .toList();
  }

  synchronized List<Subscription> activeSubscriptions(String subdomain, String event) {
    return subscriptions.values().stream()
        .filter(s -> s.active && s.subdomain.equals(subdomain) && s.event.equals(event)).toList();
  }

  synchronized SimNavigationLink addLink(String subdomain, String clientId, String section, String label,
      String iframeUrl, boolean userEditable) {
    SimNavigationLink link = new SimNavigationLink(randomHex(12), subdomain, clientId, section, label, iframeUrl,
        userEditable);
    links.put(link.id(), link);
    return link;
  }

  synchronized Optional<SimNavigationLink> link(String id) {
    return Optional.ofNullable(id).map(links::get);
  }

  synchronized boolean deleteLink(String id) {
    return links.remove(id) != null;
  }

  synchronized List<SimNavigationLink> links(String subdomain) {
    return links.values().stream().filter(l -> l.subdomain().equals(subdomain)).toList();
  }

  // ---- JSON as Cobot's API 1 shapes it

  synchronized String membershipUrl(Membership m) {
    return spaceBase(m.subdomain) + "/api/memberships/" + m.id;
  }

  synchronized String pictureUrl(Membership m) {
    return spaceBase(m.subdomain) + "/api/memberships/" + m.id + "/picture?v=" + m.pictureVersion;
  }

  synchronized JsonObject membershipJson(Membership m) {
    Space space = spaces.get(m.subdomain);
    JsonObject user = m.userId == null ? null : new JsonObject().put("id", m.userId)
        .put("email", users.get(m.userId).email());
    String canceledTo = m.canceledTo == null ? null : DATE.format(m.canceledTo);
    JsonObject plan = new JsonObject()
        .put("name", m.planName)
        .put("description", m.planName + " at " + space.name)
        .put("price_per_cycle", planPrice(m.planName))
        .put("currency", "EUR")
        .put("cycle_duration", 1)
        .put("cancellation_period", 14)
        .put("canceled_to", canceledTo)
        .put("extras", new JsonArray())
        .put("time_passes", new JsonArray());
    return new JsonObject()
        .put("id", m.id)
        .put("name", m.name)
        .put("email", m.email)
        .put("phone", m.phone)
        .put("user", user)
        .put("picture", pictureUrl(m))
        .put("address", new JsonObject().put("company", null).put("name", m.name)
            .put("full_address", "Kaffeestraße 1\n10115 Berlin").put("country", "Germany"))
        .put("customer_number", Integer.toString(10000 + Math.abs(m.id.hashCode() % 90000)))
        .put("team_id", null)
        .put("plan", plan)
        .put("upcoming_plan", null)
        .put("payment_method", new JsonObject().put("name", "cash").put("automated", false))
        .put("confirmed_at", m.confirmedAt == null ? null : DATE_TIME.format(m.confirmedAt))
        .put("starts_at", DATE.format(m.startsAt))
        .put("canceled_to", canceledTo)
        .put("next_invoice_at", m.canceledTo == null ? DATE.format(today().plusMonths(1).withDayOfMonth(1)) : null);
  }

  synchronized JsonObject userJson(String userId) {
    User u = requireUser(userId);
    JsonArray ms = new JsonArray();
    for (Membership m : memberships.values()) {
      if (!m.deleted && userId.equals(m.userId)) {
        Space s = spaces.get(m.subdomain);
        ms.add(new JsonObject().put("id", m.id).put("space_subdomain", s.subdomain).put("space_name", s.name)
            .put("space_link", origin + "/api/spaces/" + s.subdomain).put("link", membershipUrl(m)));
      }
    }
    JsonArray adminOf = new JsonArray();
    for (Space s : spaces.values()) {
      String name = s.admins.get(userId);
      if (name != null) {
        adminOf.add(new JsonObject().put("space_subdomain", s.subdomain).put("space_name", s.name)
            .put("space_link", origin + "/api/spaces/" + s.subdomain).put("name", name));
      }
    }
    return new JsonObject().put("id", u.id()).put("email", u.email()).put("memberships", ms).put("admin_of", adminOf);
  }

  synchronized JsonObject spaceJson(Space s) {
    return new JsonObject().put("id", s.id).put("subdomain", s.subdomain).put("name", s.name)
        .put("url", spaceBase(s.subdomain)).put("domain", s.customDomain).put("currency", "EUR")
        .put("time_zone_name", "Europe/Berlin").put("locale", "en");
  }

  synchronized JsonObject subscriptionJson(Subscription s) {
    return new JsonObject().put("id", s.id).put("event", s.event).put("callback_url", s.callbackUrl)
        .put("url", spaceBase(s.subdomain) + "/api/subscriptions/" + s.id).put("active", s.active);
  }

  synchronized JsonObject linkJson(SimNavigationLink l) {
    return new JsonObject().put("id", l.id()).put("section", l.section()).put("label", l.label())
        .put("iframe_url", l.iframeUrl()).put("user_editable", l.userEditable())
        .put("url", spaceBase(l.subdomain()) + "/api/navigation_links/" + l.id())
        .put("user_url", spaceBase(l.subdomain()) + "/navigation_links/" + l.id());
  }

  private void fire(Membership m, String event) {
    sink.fire(m.subdomain, event, new JsonObject().put("url", membershipUrl(m)));
  }

  private Space requireSpace(String subdomain) {
    return space(subdomain).orElseThrow(() -> new IllegalArgumentException("no such space: " + subdomain));
  }

  private User requireUser(String userId) {
    return user(userId).orElseThrow(() -> new IllegalArgumentException("no such user: " + userId));
  }

  private Membership requireMembership(String id) {
    return membership(id).orElseThrow(() -> new IllegalArgumentException("no such membership: " + id));
  }

  private static String planPrice(String plan) {
    return plan != null && plan.toLowerCase(Locale.ROOT).contains("fix") ? "290.0" : "150.0";
  }

  static String slug(String name) {
    String plain = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    String s = plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", ".").replaceAll("^\\.|\\.$", "");
    return s.isEmpty() ? "member" : s;
  }

  static List<String> scopes(String value) {
    List<String> out = new ArrayList<>();
    if (value != null) {
      for (String s : value.trim().split("[\\s,+]+")) {
        if (!s.isBlank() && !out.contains(s)) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
