package com.cobotchat.chat;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;

/** {@link ChatBus} within one process: the local Vert.x event bus, signals passed by reference (no copy). */
public final class LocalChatBus implements ChatBus {
  static final String ADDRESS = "cobot-chat.signals";
  private static final String CODEC = "cobot-chat.signal";

  private final EventBus eventBus;
  private final DeliveryOptions options = new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true);

  public LocalChatBus(Vertx vertx) {
    this.eventBus = vertx.eventBus();
    eventBus.registerCodec(new SignalCodec());
  }

  @Override
  public void publish(ChatSignal signal) {
    eventBus.publish(ADDRESS, signal, options);
  }

  @Override
  public Future<Registration> register(Handler<ChatSignal> handler) {
    MessageConsumer<ChatSignal> consumer = eventBus.localConsumer(ADDRESS, message -> handler.handle(message.body()));
    return consumer.completion().map(v -> consumer::unregister);
  }

  @Override
  public Future<Void> close() {
    eventBus.unregisterCodec(CODEC);
    return Future.succeededFuture();
  }

  /** Signals are immutable records, so local delivery shares them. */
  private static final class SignalCodec implements MessageCodec<ChatSignal, ChatSignal> {
    @Override
    public void encodeToWire(Buffer buffer, ChatSignal signal) {
      Buffer json = signal.toJson().toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public ChatSignal decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return ChatSignal.fromJson(buffer.getBuffer(pos + 4, pos + 4 + length).toJsonObject());
    }

    @Override
    public ChatSignal transform(ChatSignal signal) {
      return signal;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
