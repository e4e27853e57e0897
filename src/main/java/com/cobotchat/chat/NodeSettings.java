package com.cobotchat.chat;

import com.cobotchat.app.ConfigException;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How a node works beside other nodes on the same database, from optional environment variables.
 *
 * @param bus       {@code CHAT_BUS}: {@code postgres} (default) carries chat signals between nodes over
 *                  PostgreSQL LISTEN/NOTIFY; {@code local} keeps them inside this process, for a deployment
 *                  that is certain to run one node (a second node on the same database is then refused)
 * @param heartbeat {@code NODE_HEARTBEAT_SECONDS} (5): how often a node says it is alive; a node silent for
 *                  three beats is taken for dead and the members it had online go offline
 */
public record NodeSettings(Bus bus, Duration heartbeat) {

  /** The transport of {@link ChatSignal}s between nodes. */
  public enum Bus {
    POSTGRES, LOCAL;

    public String envName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static NodeSettings defaults() {
    return fromEnv(Map.of());
  }

  public static NodeSettings fromEnv(Map<String, String> env) {
    String bus = env.get("CHAT_BUS");
    Bus kind;
    if (bus == null || bus.isBlank()) {
      kind = Bus.POSTGRES;
    } else if (bus.trim().equalsIgnoreCase("postgres")) {
      kind = Bus.POSTGRES;
    } else if (bus.trim().equalsIgnoreCase("local")) {
      kind = Bus.LOCAL;
    } else {
      throw new ConfigException("CHAT_BUS must be postgres (several nodes on one database) or local (one node only), not '"
          + bus + "'");
    }
    String beat = env.get("NODE_HEARTBEAT_SECONDS");
    long seconds = 5;
    if (beat != null && !beat.isBlank()) {
      try {
        seconds = Long.parseLong(beat.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException("NODE_HEARTBEAT_SECONDS must be a number, not '" + beat + "'");
      }
      if (seconds < 1 || seconds > 60) {
        throw new ConfigException("NODE_HEARTBEAT_SECONDS must be between 1 and 60, not " + beat);
      }
    }
    return new NodeSettings(kind, Duration.ofSeconds(seconds));
  }

  /** After this long without a heartbeat a node counts as dead. */
  public Duration deadAfter() {
    return heartbeat.multipliedBy(3);
  }

  public NodeSettings withBus(Bus newBus) {
    return new NodeSettings(newBus, heartbeat);
  }
}
