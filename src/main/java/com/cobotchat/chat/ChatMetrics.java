package com.cobotchat.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.atomic.AtomicInteger;

/** The chat's meters on the node's registry (exposed at {@code /metrics}). */
final class ChatMetrics {
  final AtomicInteger connections = new AtomicInteger();
  final Counter persisted;
  final Counter deliveries;
  final DistributionSummary batchSize;
  final Counter slowConsumers;
  final Counter errorFrames;
  final Timer batchDuration;

  ChatMetrics(MeterRegistry registry) {
    Gauge.builder("chat.connections", connections, AtomicInteger::get)
        .description("Open chat WebSockets on this node").register(registry);
    persisted = Counter.builder("chat.messages.persisted").description("Messages committed by this node").register(registry);
    deliveries = Counter.builder("chat.deliveries").description("Room event frames written to sockets").register(registry);
    batchSize = DistributionSummary.builder("chat.batch.size").description("Messages per insert transaction")
        .register(registry);
    slowConsumers = Counter.builder("chat.slow.consumer.disconnects")
        .description("Sockets closed because the client read too slowly").register(registry);
    batchDuration = Timer.builder("chat.batch.duration").description("Time to commit one message batch").register(registry);
    errorFrames = Counter.builder("chat.error.frames").description("error frames sent to clients").register(registry);
  }
}
