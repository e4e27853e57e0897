package com.cobotchat.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A loopback TCP proxy a test can cut, to make a real server look unreachable and bring it back. */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final NetServer server;
  private volatile boolean open = true;
  private volatile boolean frozen;

  public TcpProxy(String targetHost, int targetPort) {
    NetClient client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(front -> {
      if (!open) {
        front.close();
        return;
      }
      front.pause();
      client.connect(targetPort, targetHost).onSuccess(back -> {
        sockets.add(front);
        sockets.add(back);
        front.handler(data -> {
          if (!frozen) {
            back.write(data);
          }
        });
        back.handler(data -> {
          if (!frozen) {
            front.write(data);
          }
        });
        front.closeHandler(v -> back.close());
        back.closeHandler(v -> front.close());
        front.resume();
      }).onFailure(err -> front.close());
    });
    server.listen(0, "127.0.0.1").await();
  }

  public int port() {
    return server.actualPort();
  }

  /** Drops every connection and refuses new ones. */
  public void cut() {
    open = false;
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  public void restore() {
    open = true;
    frozen = false;
  }

  /**
   * A silent partition: connections stay open but nothing passes (what they send meanwhile is
   * lost) and new ones are refused, until {@link #restore()}.
   */
  public void freeze() {
    frozen = true;
    open = false;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
