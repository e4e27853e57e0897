package com.cobotchat.app;

import com.cobotchat.chat.NodeSettings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Configuration from the environment")
class AppConfigTest {

  private static Map<String, String> production() {
    Map<String, String> env = new HashMap<>();
    env.put("COBOT_CLIENT_ID", "id");
    env.put("COBOT_CLIENT_SECRET", "client-secret-value");
    env.put("SECRET_KEY", "0123456789abcdef0123456789abcdef");
    return env;
  }

  @Test
  void defaults_follow_the_spec() {
    AppConfig c = AppConfig.fromEnv(production());
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.publicUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.database().describe()).isEqualTo("127.0.0.1:5432/cobot_chat");
    assertThat(c.cobotSite()).isEqualTo("https://www.cobot.me");
    assertThat(c.spaceBase("co-up")).isEqualTo("https://co-up.cobot.me");
    assertThat(c.frameAncestors()).containsExactly("https://*.cobot.me");
    assertThat(c.demo()).isFalse();
  }

  @Test
  void missing_cobot_credentials_without_demo_refuse_to_start() {
    Map<String, String> env = production();
    env.remove("COBOT_CLIENT_SECRET");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("COBOT_CLIENT_SECRET").hasMessageContaining("DEMO=true");
  }

  @Test
  void demo_is_never_implied_by_missing_credentials() {
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of())).isInstanceOf(ConfigException.class);
    assertThat(AppConfig.fromEnv(Map.of("DEMO", "true")).demo()).isTrue();
  }

  @Test
  void demo_without_secret_key_generates_one() {
    assertThat(AppConfig.fromEnv(Map.of("DEMO", "true")).secret().generated()).isTrue();
  }

  @Test
  void secret_key_is_required_and_long_enough_outside_demo() {
    Map<String, String> env = production();
    env.remove("SECRET_KEY");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).hasMessageContaining("SECRET_KEY");
    env.put("SECRET_KEY", "short");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).hasMessageContaining("SECRET_KEY").hasMessageContaining("32");
  }

  @Test
  void malformed_values_name_their_variable() {
    for (var bad : Map.of("PORT", "eighty", "DATABASE_URL", "mysql://x/y", "PUBLIC_URL", "ftp://x",
        "COBOT_SPACE_URL", "https://cobot.me", "DEMO", "maybe", "FRAME_ANCESTORS", "javascript:alert(1)").entrySet()) {
      Map<String, String> env = production();
      env.put(bad.getKey(), bad.getValue());
      assertThatThrownBy(() -> AppConfig.fromEnv(env)).as(bad.getKey())
          .isInstanceOf(ConfigException.class).hasMessageStartingWith(bad.getKey());
    }
  }

  @Test
  void chat_bus_defaults_to_postgres_so_a_second_node_is_never_split_off() {
    AppConfig c = AppConfig.fromEnv(production());
    assertThat(c.nodes().bus()).isEqualTo(NodeSettings.Bus.POSTGRES);
    assertThat(c.nodes().heartbeat()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.nodes().deadAfter()).isEqualTo(Duration.ofSeconds(15));
    Map<String, String> env = production();
    env.put("CHAT_BUS", "Local");
    env.put("NODE_HEARTBEAT_SECONDS", "2");
    AppConfig local = AppConfig.fromEnv(env);
    assertThat(local.nodes().bus()).isEqualTo(NodeSettings.Bus.LOCAL);
    assertThat(local.nodes().heartbeat()).isEqualTo(Duration.ofSeconds(2));
    assertThat(local.toString()).contains("chatBus=local");
  }

  @Test
  void malformed_node_settings_name_their_variable_in_one_line() {
    for (var bad : Map.of("CHAT_BUS", "redis", "NODE_HEARTBEAT_SECONDS", "0", "NODE_HEARTBEAT_SECONDS ", "soon").entrySet()) {
      Map<String, String> env = production();
      env.put(bad.getKey().trim(), bad.getValue());
      assertThatThrownBy(() -> AppConfig.fromEnv(env)).as(bad.getKey())
          .isInstanceOf(ConfigException.class).hasMessageStartingWith(bad.getKey().trim())
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void port_out_of_range_is_refused() {
    Map<String, String> env = production();
    env.put("PORT", "70000");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).hasMessageContaining("PORT");
  }

  @Test
  void secrets_do_not_show_in_to_string() {
    AppConfig c = AppConfig.fromEnv(production());
    assertThat(c.toString()).doesNotContain("0123456789abcdef0123456789abcdef").doesNotContain("client-secret-value");
  }

  @Test
  void sealed_tokens_round_trip_and_signatures_verify() {
    SecretKeys keys = SecretKeys.generate();
    assertThat(keys.decrypt(keys.encrypt("space-token"))).isEqualTo("space-token");
    String sig = keys.sign("state");
    assertThat(keys.verify("state", sig)).isTrue();
    assertThat(keys.verify("other", sig)).isFalse();
    assertThat(SecretKeys.generate().verify("state", sig)).isFalse();
  }
}
