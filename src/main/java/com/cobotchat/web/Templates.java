package com.cobotchat.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** Precompiled jte templates (built by the jte Maven plugin); rendering is CPU-only, so it runs on the event loop. */
public final class Templates {
  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

  public Buffer render(String template, Object model) {
    Utf8ByteOutput out = new Utf8ByteOutput();
    engine.render(template, model, out);
    Buffer buffer = Buffer.buffer(out.getContentLength());
    try {
      out.writeTo(new java.io.OutputStream() {
        @Override public void write(int b) { buffer.appendByte((byte) b); }
        @Override public void write(byte[] b, int off, int len) { buffer.appendBytes(b, off, len); }
      });
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return buffer;
  }

  /** Renders and sends an HTML page with the given status. */
  public Future<Void> send(RoutingContext ctx, int status, String template, Object model) {
    return ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(render(template, model));
  }
}
