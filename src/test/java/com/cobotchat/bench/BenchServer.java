package com.cobotchat.bench;

/**
 * {@code java ... com.cobotchat.bench.BenchServer PORT CONTROL_PORT}: a {@link BenchNode} in its own
 * JVM, so its heap, RSS and CPU are measured apart from the load tool. Prints {@code READY} when it
 * serves; stops (and drops its database) on SIGTERM or when standard input closes.
 */
public final class BenchServer {
  private BenchServer() {
  }

  public static void main(String[] args) throws Exception {
    BenchNode node = BenchNode.start(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
    Thread stopper = new Thread(node::close, "bench-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    System.out.println("READY " + node.port() + " " + node.controlPort() + " pid " + ProcessHandle.current().pid());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close our input
    }
    Runtime.getRuntime().removeShutdownHook(stopper);
    node.close();
    System.exit(0);
  }
}
