package com.cobotchat.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Entry point: reads the environment, starts a node, stops it gracefully on SIGTERM. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    AppConfig config;
    try {
      config = AppConfig.fromEnv(Map.copyOf(System.getenv()));
    } catch (ConfigException e) {
      fail("configuration error: " + e.getMessage(), 2);
      return;
    }
    try {
      long started = System.nanoTime();
      int demoPort = config.demo() ? DemoMode.portFromEnv(System.getenv(), config) : 0;
      Application app = Application.start(config, Main::progress, demoPort);
      Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "shutdown"));
      System.out.println("cobot-chat ready on " + config.publicUrl());
      app.demo().ifPresent(demo -> System.out.printf("cobot-chat demo ready after %.1f s. Open %s%n",
          (System.nanoTime() - started) / 1e9, demo.hostPageUrl()));
    } catch (ConfigException e) {
      fail("configuration error: " + e.getMessage(), 2);
    } catch (DatabaseBootstrap.StartupException e) {
      fail("cannot start: " + e.getMessage(), 3);
    } catch (RuntimeException e) {
      log.error("start-up failed", e);
      fail("cannot start: " + rootMessage(e), 1);
    }
  }

  private static void progress(String line) {
    System.out.println("cobot-chat: " + line);
  }

  private static void fail(String line, int code) {
    System.err.println("cobot-chat: " + line);
    System.exit(code);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
