package com.cobotchat.sso;

import com.cobotchat.app.AppConfig;
import com.cobotchat.app.SecretKeys;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.cobot.CobotException;
import com.cobotchat.space.Member;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.Space;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.web.ChatPage;
import com.cobotchat.web.HttpProblem;
import com.cobotchat.web.SecurityHeaders;
import com.cobotchat.web.Templates;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Member sign-in inside Cobot's iFrame (SPEC 4).
 * <ul>
 *   <li>{@code GET /embed}: the chat page for a signed-in member of the hinted space, else the OAuth
 *       round trip on the space host, which Cobot answers without a prompt for a member who already
 *       authorised the app. The callback renders the chat page directly with a page token inside.</li>
 *   <li>Loop guard: {@code /embed?auth_try=N} says N automatic round trips already ran for this page
 *       load; the state carries the attempt number, signed. A page load makes at most one automatic
 *       round trip; a second failure in a row offers "Open chat in a new tab" (first-party mode).</li>
 *   <li>Buttons the member clicks inside the frame ("Sign in again", "Try again") run the round trip
 *       in a popup ({@code GET /auth/popup}): a navigation the frame starts towards Cobot is cross-site
 *       initiated, so a {@code SameSite=Lax} Cobot login cookie would not be sent, while a top-level
 *       popup gets it. The popup hands the result back by {@code postMessage} and the frame redeems it
 *       with {@code POST /auth/handoff}. Without script the buttons navigate the frame instead.</li>
 *   <li>Logout sticks: a partitioned {@code __Host-cc_signed_out} cookie, the {@code signed_out=1} flag
 *       in the frame's URL and, for browsers that keep no cookie in the frame, a mark on the member
 *       that only an explicit sign-in lifts.</li>
 * </ul>
 */
public final class MemberSignIn {
  private static final Logger log = LoggerFactory.getLogger(MemberSignIn.class);
  public static final String CALLBACK_PATH = "/auth/cobot/callback";
  static final int MAX_AUTOMATIC_ATTEMPTS = 2;

  private final AppConfig config;
  private final SpaceRepository spaces;
  private final MemberRepository members;
  private final Sessions sessions;
  private final OAuthStates states;
  private final Handoffs handoffs;
  private final PageTokens pageTokens;
  private final Csrf csrf;
  private final Authenticator auth;
  private final Admission admission;
  private final CobotClient cobot;
  private final Templates templates;
  private final String redirectUri;

  public MemberSignIn(AppConfig config, SpaceRepository spaces, MemberRepository members, Sessions sessions,
                      OAuthStates states, Handoffs handoffs, PageTokens pageTokens, Csrf csrf, Authenticator auth,
                      Admission admission, CobotClient cobot, Templates templates) {
    this.config = config;
    this.spaces = spaces;
    this.members = members;
    this.sessions = sessions;
    this.states = states;
    this.handoffs = handoffs;
    this.pageTokens = pageTokens;
    this.csrf = csrf;
    this.auth = auth;
    this.admission = admission;
    this.cobot = cobot;
    this.templates = templates;
    this.redirectUri = config.publicUrl() + CALLBACK_PATH;
  }

  /** {@code GET /embed}: the chat page for a signed-in member of the hinted space, otherwise sign-in. */
  public void embed(RoutingContext ctx) {
    EmbedHints hints = EmbedHints.from(ctx.queryParams());
    int authTry = authTry(ctx.queryParams().get("auth_try"));
    SecurityHeaders.allowFraming(ctx, null);
    if (hints.subdomain() == null) {
      notice(ctx, 400, hints, "no-space", "Open Chat from Cobot",
          "This page belongs inside your space's member area on Cobot. Open \u201cChat\u201d there.", List.of());
      return;
    }
    installedSpace(ctx, hints).compose(space -> {
      if (space == null) {
        return Future.succeededFuture();
      }
      SecurityHeaders.allowFraming(ctx, space.customDomain());
      if ("1".equals(ctx.queryParams().get("signin"))) {
        SessionCookies.clearSignedOut(ctx);
        return startOAuth(ctx, hints, 1, true, false);
      }
      if ("1".equals(ctx.queryParams().get("signed_out")) || SessionCookies.signedOut(ctx)) {
        signedOutPage(ctx, hints);
        return Future.succeededFuture();
      }
      return auth.byCookie(ctx).compose(signed -> {
        if (signed.isPresent() && belongs(signed.get().member(), space, hints)) {
          renderChat(ctx, space, signed.get().member(), signed.get().sessionHash(), hints);
          return Future.succeededFuture();
        }
        if (authTry >= MAX_AUTOMATIC_ATTEMPTS) {
          loopGuard(ctx, hints);
          return Future.succeededFuture();
        }
        return startOAuth(ctx, hints, authTry + 1, false, false);
      });
    }).onFailure(ctx::fail);
  }

  /** {@code GET /auth/popup}: the round trip in a popup opened by a click in the frame (not frameable). */
  public void popup(RoutingContext ctx) {
    EmbedHints hints = EmbedHints.from(ctx.queryParams());
    if (hints.subdomain() == null) {
      ctx.fail(new HttpProblem(400, "Open Chat from your space's member area on Cobot."));
      return;
    }
    installedSpace(ctx, hints).compose(space -> space == null
        ? Future.<Void>succeededFuture() : startOAuth(ctx, hints, 1, true, true)).onFailure(ctx::fail);
  }

  /** {@code GET /auth/cobot/callback}: checks state, exchanges the code, admits the member, signs in. */
  public void callback(RoutingContext ctx) {
    String code = ctx.queryParams().get("code");
    String error = ctx.queryParams().get("error");
    states.consume(OAuthStates.Purpose.MEMBER, ctx.queryParams().get("state")).compose(checked -> {
      if (!checked.popup()) {
        SecurityHeaders.allowFraming(ctx, null);
      }
      EmbedHints hints = checked.returnTo() != null ? EmbedHints.fromQuery(checked.returnTo())
          : EmbedHints.from(MultiMap.caseInsensitiveMultiMap()).withSubdomain(checked.subdomain());
      if (!checked.valid()) {
        badState(ctx, checked, hints);
        return Future.succeededFuture();
      }
      return installedSpace(ctx, hints).compose(space -> {
        if (space == null) {
          return Future.succeededFuture();
        }
        if (!checked.popup()) {
          SecurityHeaders.allowFraming(ctx, space.customDomain());
        }
        if (error != null || code == null || code.isEmpty() || code.length() > 512) {
          log.atInfo().addKeyValue("space", space.subdomain()).addKeyValue("error", safe(error))
              .log("sign-in not authorised by Cobot");
          failure(ctx, 403, hints, checked, "not-authorised", "Sign-in was not completed",
              "Cobot did not confirm your sign-in to the chat.");
          return Future.succeededFuture();
        }
        return signIn(ctx, space, checked, code, hints);
      });
    }).onFailure(ctx::fail);
  }

  /** {@code POST /auth/handoff}: the frame redeems what its sign-in popup handed over, and shows the chat. */
  public void handoff(RoutingContext ctx) {
    SecurityHeaders.allowFraming(ctx, null);
    if (!csrf.fromOwnOrigin(ctx)) {
      ctx.fail(new HttpProblem(403, "This form can only be sent from the chat page."));
      return;
    }
    EmbedHints hints = EmbedHints.fromQuery(ctx.request().getFormAttribute("hints"));
    handoffs.redeem(ctx.request().getFormAttribute("handoff"))
        .compose(memberId -> memberId.isEmpty() ? Future.succeededFuture(java.util.Optional.<Member>empty())
            : members.findById(memberId.get()))
        .compose(member -> {
          if (member.isEmpty() || !member.get().mayChat()) {
            notice(ctx, 400, hints, "bad-handoff", "Sign-in could not be completed",
                "This sign-in was already used or has expired. Please sign in again.", signInAgain(hints));
            return Future.succeededFuture();
          }
          return spaces.findById(member.get().spaceId()).compose(space -> {
            SecurityHeaders.allowFraming(ctx, space.map(Space::customDomain).orElse(null));
            return startSession(ctx, space.orElseThrow(), member.get(), hints.withSubdomain(space.get().subdomain()));
          });
        }).onFailure(ctx::fail);
  }

  private Future<Void> signIn(RoutingContext ctx, Space space, OAuthStates.Checked checked, String code, EmbedHints hints) {
    return cobot.exchangeCode(code, redirectUri, checked.verifier())
        .compose(cobot::user)
        .compose(user -> {
          if (checked.expectedUserId() != null && !checked.expectedUserId().equals(user.id())) {
            notice(ctx, 403, hints, "user-mismatch", "A different person is signed in to Cobot",
                "You are signed in to Cobot as someone other than the member this page was opened for. "
                    + "Reload the Cobot page (or sign in to Cobot again as yourself), then open Chat.",
                List.of());
            return Future.<Void>succeededFuture();
          }
          return admission.admit(space, user).compose(outcome -> {
            if (!outcome.admitted()) {
              refused(ctx, hints, outcome.refusal());
              return Future.<Void>succeededFuture();
            }
            Member member = outcome.member();
            Future<Boolean> stillOut = checked.explicit()
                ? members.clearSignedOut(member.id()).map(false) : members.isSignedOut(member.id());
            return stillOut.compose(out -> {
              if (out) {
                SessionCookies.setSignedOut(ctx);
                signedOutPage(ctx, hints);
                return Future.<Void>succeededFuture();
              }
              return checked.popup() ? handOver(ctx, space, member, hints) : startSession(ctx, space, member, hints);
            });
          });
        })
        .recover(err -> {
          if (err instanceof CobotException e) {
            cobotFailed(ctx, hints, checked, e);
            return Future.succeededFuture();
          }
          return Future.failedFuture(err);
        });
  }

  private Future<Void> startSession(RoutingContext ctx, Space space, Member member, EmbedHints hints) {
    return sessions.create(member.id()).map(session -> {
      log.atInfo().addKeyValue("space", space.subdomain()).addKeyValue("member", session.memberId())
          .log("member signed in");
      SessionCookies.setSession(ctx, session.token(), Sessions.LIFETIME.toSeconds());
      SessionCookies.clearSignedOut(ctx);
      renderChat(ctx, space, member, session.hash(), hints);
      return null;
    });
  }

  /** The popup's end: a first-party session for "open in a new tab", and a handoff for the frame that opened it. */
  private Future<Void> handOver(RoutingContext ctx, Space space, Member member, EmbedHints hints) {
    return sessions.create(member.id()).compose(session -> handoffs.issue(member.id()).map(code -> {
      log.atInfo().addKeyValue("space", space.subdomain()).addKeyValue("member", member.id())
          .log("member signed in through a popup");
      SessionCookies.setSession(ctx, session.token(), Sessions.LIFETIME.toSeconds());
      SessionCookies.clearSignedOut(ctx);
      templates.send(ctx, 200, "sso/handoff.jte", new SsoHandoff(hints.lang(), code, hints.query(), hints.embedUrl()));
      return null;
    }));
  }

  private Future<Void> startOAuth(RoutingContext ctx, EmbedHints hints, int attempt, boolean explicit, boolean popup) {
    return states.start(OAuthStates.Purpose.MEMBER, hints.subdomain(), hints.userId(), attempt, hints.query(), explicit,
            popup)
        .map(started -> {
          String url = cobot.authorizeUrl(hints.subdomain(), List.of("read_user"), started.state(),
              started.codeChallenge(), redirectUri);
          ctx.response().setStatusCode(302).putHeader("Location", url).putHeader("Cache-Control", "no-store").end();
          return null;
        });
  }

  /** The installed space of the hints, or null after a "not installed" page has been sent. */
  private Future<Space> installedSpace(RoutingContext ctx, EmbedHints hints) {
    return spaces.findBySubdomain(hints.subdomain()).map(space -> {
      if (space.isEmpty() || !space.get().installed()) {
        notInstalled(ctx, hints);
        return null;
      }
      return space.get();
    });
  }

  private void renderChat(RoutingContext ctx, Space space, Member member, String sessionHash, EmbedHints hints) {
    ChatPage page = new ChatPage(hints.lang(), space.name(), space.subdomain(), member.id(), member.name(),
        member.admin(), pageTokens.issue(sessionHash), csrf.token(sessionHash),
        config.publicOrigin().replaceFirst("^http", "ws") + "/ws", hints.embedUrl(), popupUrl(hints), hints.query());
    templates.send(ctx, 200, "chat/page.jte", page);
  }

  private static boolean belongs(Member member, Space space, EmbedHints hints) {
    return member.spaceId() == space.id() && (hints.userId() == null || hints.userId().equals(member.cobotUserId()));
  }

  private void badState(RoutingContext ctx, OAuthStates.Checked checked, EmbedHints hints) {
    log.atInfo().addKeyValue("verdict", checked.verdict().name()).log("sign-in refused: state not valid");
    String message = switch (checked.verdict()) {
      case REPLAYED -> "This sign-in link was already used.";
      case EXPIRED -> "This sign-in link has expired.";
      default -> "This sign-in link is not valid.";
    };
    failure(ctx, 400, hints, checked, "bad-state", "Sign-in could not be completed", message + " Please try again.");
  }

  private void cobotFailed(RoutingContext ctx, EmbedHints hints, OAuthStates.Checked checked, CobotException e) {
    log.atWarn().addKeyValue("operation", e.operation()).addKeyValue("status", e.status())
        .log("sign-in failed: Cobot call failed");
    if (e.status() == 400 || e.status() == 401 || e.status() == 403) {
      failure(ctx, 400, hints, checked, "code-refused", "Sign-in could not be completed",
          "Cobot did not accept this sign-in. Please try again.");
    } else if (e.isRateLimited()) {
      failure(ctx, 503, hints, checked, "cobot-busy", "Cobot is busy",
          "Cobot asked us to slow down. Please wait a moment and try again.");
    } else {
      failure(ctx, 503, hints, checked, "cobot-unavailable", "Cobot is not answering",
          "The chat could not reach Cobot to confirm who you are. Please try again in a moment.");
    }
  }

  private void refused(RoutingContext ctx, EmbedHints hints, Admission.Refusal refusal) {
    switch (refusal) {
      case NOT_INSTALLED -> notInstalled(ctx, hints);
      case PENDING -> notice(ctx, 403, hints, "pending", "Your membership is not active yet",
          "The chat opens once the space has confirmed your membership.", signInAgain(hints));
      case ENDED -> notice(ctx, 403, hints, "ended", "Your membership has ended",
          "The chat is for current members of this space.", List.of());
      default -> notice(ctx, 403, hints, "not-member", "Members only",
          "The chat is for members of this space, and Cobot does not list you as one. "
              + "If that is wrong, ask the space's admins.", List.of());
    }
  }

  /**
   * A failure the member may retry. The automatic attempt (1) offers "Try again"; after a second
   * failure in a row the page also offers the chat in its own tab. In a popup, retry in the popup.
   */
  private void failure(RoutingContext ctx, int status, EmbedHints hints, OAuthStates.Checked checked, String kind,
                       String title, String message) {
    if (checked.popup()) {
      notice(ctx, status, hints, kind, title, message,
          List.of(new SsoNotice.Action("Try again", popupUrl(hints), null, false)));
    } else if (checked.attempt() >= MAX_AUTOMATIC_ATTEMPTS) {
      notice(ctx, status, hints, kind, title, message + " Signing in inside this frame failed twice; "
              + "opening the chat in its own tab usually works.",
          List.of(newTab(hints), new SsoNotice.Action("Try again", hints.embedUrl("signin=1"), popupUrl(hints), false)));
    } else {
      notice(ctx, status, hints, kind, title, message, List.of(new SsoNotice.Action("Try again",
          hints.embedUrl("auth_try=" + Math.max(checked.attempt(), 1)), popupUrl(hints), false), newTab(hints)));
    }
  }

  private void loopGuard(RoutingContext ctx, EmbedHints hints) {
    notice(ctx, 200, hints, "loop-guard", "Chat could not sign you in here",
        "Your browser did not keep the sign-in inside this frame (it may block cookies in embedded pages). "
            + "Opening the chat in its own tab works in every browser.",
        List.of(newTab(hints), new SsoNotice.Action("Try again", hints.embedUrl("signin=1"), popupUrl(hints), false)));
  }

  private void signedOutPage(RoutingContext ctx, EmbedHints hints) {
    notice(ctx, 200, hints, "signed-out", "You are signed out of the chat",
        "You stay signed out here until you sign in again.", signInAgain(hints));
  }

  private void notInstalled(RoutingContext ctx, EmbedHints hints) {
    notice(ctx, 404, hints, "not-installed", "Chat is not set up for this space",
        "Ask an admin of your space to install Cobot Chat; then it appears here.", List.of());
  }

  private static List<SsoNotice.Action> signInAgain(EmbedHints hints) {
    return List.of(new SsoNotice.Action("Sign in again", hints.embedUrl("signin=1"), popupUrl(hints), false));
  }

  private static SsoNotice.Action newTab(EmbedHints hints) {
    return new SsoNotice.Action("Open chat in a new tab", hints.embedUrl(), null, true);
  }

  private static String popupUrl(EmbedHints hints) {
    return "/auth/popup?" + hints.query();
  }

  private void notice(RoutingContext ctx, int status, EmbedHints hints, String kind, String title, String message,
                      List<SsoNotice.Action> actions) {
    String reference = status >= 400 ? SecretKeys.randomToken(6) : null;
    var line = log.atInfo().addKeyValue("kind", kind).addKeyValue("status", status).addKeyValue("space", hints.subdomain());
    if (reference != null) {
      line = line.addKeyValue("reference", reference);
    }
    line.log("sign-in notice shown");
    templates.send(ctx, status, "sso/notice.jte", new SsoNotice(hints.lang(), kind, title, message, reference,
        hints.query(), actions));
  }

  static int authTry(String value) {
    return value != null && value.matches("[0-9]") ? Integer.parseInt(value) : 0;
  }

  private static String safe(String error) {
    if (error == null) {
      return null;
    }
    String clean = error.replaceAll("[^A-Za-z0-9_]", "");
    return clean.substring(0, Math.min(clean.length(), 40));
  }
}
