package com.cobotchat.sso;

import com.cobotchat.app.Services;
import com.cobotchat.cobot.CobotClient;

import java.time.Clock;

/**
 * The sign-in capability wired together for one verticle: the handlers {@code HttpVerticle} routes to,
 * the {@link Authenticator} other capabilities use to find the member of a request (page token or
 * cookie), and the {@link Csrf} check for their state-changing HTTP calls.
 */
public record SignIn(MemberSignIn pages, TicketEndpoint tickets, Logout logout, Authenticator authenticator, Csrf csrf) {

  public static SignIn create(Services services, CobotClient cobot) {
    Clock clock = Clock.systemUTC();
    var config = services.config();
    PageTokens pageTokens = new PageTokens(config.secret(), clock);
    Csrf csrf = new Csrf(config.secret(), config.publicOrigin());
    Authenticator auth = new Authenticator(services.sessions(), services.members(), pageTokens);
    OAuthStates states = new OAuthStates(services.pool(), config.secret());
    Admission admission = new Admission(services.pool(), services.spaces(), services.members(), cobot, config.secret(),
        services.clock(), services.chat().membership());
    MemberSignIn pages = new MemberSignIn(config, services.spaces(), services.members(), services.sessions(), states,
        new Handoffs(services.pool()), pageTokens, csrf, auth, admission, cobot, services.templates());
    return new SignIn(pages, new TicketEndpoint(auth, services.tickets(), pageTokens, csrf),
        new Logout(auth, services.sessions(), services.members(), csrf), auth, csrf);
  }
}
