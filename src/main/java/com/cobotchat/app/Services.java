package com.cobotchat.app;

import com.cobotchat.chat.ChatNode;
import com.cobotchat.cobot.CobotClient;
import com.cobotchat.space.MemberRepository;
import com.cobotchat.space.SpaceRepository;
import com.cobotchat.sso.Sessions;
import com.cobotchat.sso.Tickets;
import com.cobotchat.sync.Sync;
import com.cobotchat.web.Errors;
import com.cobotchat.web.SecurityHeaders;
import com.cobotchat.web.Templates;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/** The node-wide objects built once at start-up and handed to each verticle instance. */
public record Services(
    AppConfig config,
    Vertx vertx,
    Pool pool,
    PrometheusMeterRegistry registry,
    Templates templates,
    Errors errors,
    SecurityHeaders securityHeaders,
    SpaceRepository spaces,
    MemberRepository members,
    Sessions sessions,
    Tickets tickets,
    ChatNode chat,
    Clock clock,
    CobotClient cobot,
    Sync sync) {
}
