package com.cobotchat.space;

import com.cobotchat.sso.ApiAuth;
import com.cobotchat.sso.Authenticator;
import com.cobotchat.web.HttpProblem;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Objects;
import java.util.TreeSet;

/**
 * The space's member directory for the chat page, behind {@link ApiAuth#require}:
 * <ul>
 *   <li>{@code GET /api/members}: {@code {"members":[{"id","name","avatarUrl","admin","me","profile":{"about","contact"}}]}}
 *       with every member who may chat now; for space admins also {@code "plans"}, the plan names of
 *       the space's members (for auto-join rules).</li>
 *   <li>{@code PUT /api/me/profile} with {@code {"about":"…","contact":"…"}}: stores the caller's
 *       profile and answers with their directory entry; 400 when a part is too long.</li>
 * </ul>
 * Ids are strings, as in the WebSocket protocol. Members of other spaces are never listed.
 */
public final class DirectoryApi {
  private final MemberRepository members;

  public DirectoryApi(MemberRepository members) {
    this.members = members;
  }

  public void list(RoutingContext ctx) {
    Member me = member(ctx);
    members.list(me.spaceId()).onSuccess(all -> {
      JsonArray out = new JsonArray();
      TreeSet<String> plans = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      for (Member m : all) {
        if (m.planName() != null && !m.planName().isBlank() && m.mayChat()) {
          plans.add(m.planName());
        }
        if (m.mayChat()) {
          out.add(entry(m, me));
        }
      }
      JsonObject body = new JsonObject().put("members", out);
      if (me.admin()) {
        body.put("plans", new JsonArray(plans.stream().toList()));
      }
      json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  public void saveProfile(RoutingContext ctx) {
    Member me = member(ctx);
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) {
      ctx.fail(new HttpProblem(400, "Send the profile as a JSON object with \u201cabout\u201d and \u201ccontact\u201d."));
      return;
    }
    Profile profile = Profile.submitted(body.getValue("about"), body.getValue("contact"));
    String problem = profile.problem();
    if (problem != null) {
      ctx.fail(new HttpProblem(400, problem));
      return;
    }
    members.setProfile(me.id(), profile.stored())
        .onSuccess(updated -> json(ctx, 200, entry(updated, updated)))
        .onFailure(ctx::fail);
  }

  static JsonObject entry(Member m, Member viewer) {
    return new JsonObject()
        .put("id", Long.toString(m.id()))
        .put("name", m.name())
        .put("avatarUrl", m.avatarUrl())
        .put("admin", m.admin())
        .put("me", m.id() == viewer.id())
        .put("profile", Profile.parse(m.profile()).toJson());
  }

  private static Member member(RoutingContext ctx) {
    return ApiAuth.signed(ctx).map(Authenticator.Signed::member)
        .orElseThrow(() -> new IllegalStateException("DirectoryApi routes need ApiAuth.require first"));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    Objects.requireNonNull(body);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
