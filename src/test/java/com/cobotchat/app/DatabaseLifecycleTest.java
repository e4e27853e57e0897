package com.cobotchat.app;

import com.cobotchat.testing.TcpProxy;
import com.cobotchat.testing.TestConfigs;
import com.cobotchat.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Database preparation, readiness and metrics")
class DatabaseLifecycleTest {

  @Test
  void migrations_apply_to_an_empty_database_and_are_idempotent_on_a_second_start() throws Exception {
    DatabaseUrl db = TestDatabases.fresh("migrate");
    try {
      List<String> progress = new ArrayList<>();
      Application first = Application.start(TestConfigs.config(db), progress::add);
      first.stop();
      assertThat(progress).anyMatch(l -> l.contains("created database"));

      var again = new DatabaseBootstrap(db, 5, l -> { }).prepare();
      assertThat(again.migrationsExecuted).isZero();
      Application second = Application.start(TestConfigs.config(db), l -> { });
      second.stop();

      try (var c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
           var rs = c.createStatement().executeQuery(
               "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN "
                   + "('spaces','members','rooms','room_members','room_events','messages','read_markers',"
                   + "'webhook_inbox','sessions','ws_tickets','oauth_states','room_exclusions')")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(12);
      }
    } finally {
      TestDatabases.drop(db);
    }
  }

  @Test
  void readiness_turns_503_when_the_database_is_cut_and_200_when_it_returns() throws Exception {
    DatabaseUrl db = TestDatabases.fresh("ready");
    new DatabaseBootstrap(db, 5, l -> { }).prepare();
    try (TcpProxy proxy = new TcpProxy(db.host(), db.port())) {
      DatabaseUrl viaProxy = new DatabaseUrl("127.0.0.1", proxy.port(), db.database(), db.user(), db.password());
      Application app = Application.start(TestConfigs.config(viaProxy), l -> { });
      Vertx client = Vertx.vertx();
      try {
        HttpClientAgent http = client.createHttpClient();
        int port = app.services().config().port();
        assertThat(status(http, port, "/health/ready")).isEqualTo(200);
        assertThat(status(http, port, "/health/live")).isEqualTo(200);

        proxy.cut();
        assertThat(status(http, port, "/health/ready")).isEqualTo(503);
        assertThat(status(http, port, "/health/live")).isEqualTo(200);

        proxy.restore();
        long deadline = System.currentTimeMillis() + 10_000;
        int status;
        do {
          status = status(http, port, "/health/ready");
        } while (status != 200 && System.currentTimeMillis() < deadline);
        assertThat(status).isEqualTo(200);

        String metrics = http.request(new RequestOptions().setPort(port).setHost("127.0.0.1").setURI("/metrics"))
            .compose(r -> r.send()).compose(r -> r.body()).await().toString();
        assertThat(metrics).contains("vertx_http_server_requests_total");
      } finally {
        client.close().await();
        app.stop();
      }
    } finally {
      TestDatabases.drop(db);
    }
  }

  static int status(HttpClientAgent http, int port, String path) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setHost("127.0.0.1").setURI(path))
        .compose(r -> r.send()).map(r -> r.statusCode()).await();
  }

}
