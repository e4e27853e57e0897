package com.cobotchat.sso;

import com.cobotchat.app.SecretKeys;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Finds the signed-in member of a request, from {@code Authorization: Bearer <page token>} or the
 * session cookie. Every call asks the database (session row and member row), so a revocation or an
 * ended membership counts at once on every node; nothing is cached.
 */
public final class Authenticator {
  /** How a request proved who it is. */
  public enum Via { COOKIE, PAGE_TOKEN }

  /** A signed-in member who may chat now, and the session the request used. */
  public record Signed(Member member, String sessionHash, Via via) {
    @Override
    public String toString() {
      return "Signed[member=" + member.id() + ", via=" + via + "]";
    }
  }

  private final Sessions sessions;
  private final MemberRepository members;
  private final PageTokens pageTokens;

  public Authenticator(Sessions sessions, MemberRepository members, PageTokens pageTokens) {
    this.sessions = sessions;
    this.members = members;
    this.pageTokens = pageTokens;
  }

  /** The member behind the request's page token (header) or else its cookie; empty if neither is live. */
  public Future<Optional<Signed>> authenticate(RoutingContext ctx) {
    String pageToken = bearer(ctx);
    if (pageToken != null) {
      return byPageToken(pageToken);
    }
    return byCookie(ctx);
  }

  public Future<Optional<Signed>> byCookie(RoutingContext ctx) {
    String token = SessionCookies.session(ctx);
    if (token == null || token.isEmpty() || token.length() > 100) {
      return Future.succeededFuture(Optional.empty());
    }
    return bySessionHash(SecretKeys.hash(token), Via.COOKIE);
  }

  public Future<Optional<Signed>> byPageToken(String pageToken) {
    return pageTokens.sessionHash(pageToken).map(hash -> bySessionHash(hash, Via.PAGE_TOKEN))
        .orElse(Future.succeededFuture(Optional.empty()));
  }

  private Future<Optional<Signed>> bySessionHash(String hash, Via via) {
    return sessions.memberOfHash(hash).compose(memberId -> memberId.isEmpty()
        ? Future.succeededFuture(Optional.<Signed>empty())
        : members.findById(memberId.get()).map(m -> m.filter(Member::mayChat).map(member -> new Signed(member, hash, via))));
  }

  static String bearer(RoutingContext ctx) {
    String auth = ctx.request().getHeader("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = auth.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
