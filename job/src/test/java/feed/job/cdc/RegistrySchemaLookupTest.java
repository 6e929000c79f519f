package feed.job.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.avro.Schema;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import feed.job.testing.DebeziumFixtures;

/** The HTTP lookup against a stand-in for the registry's ccompat API, on loopback. */
class RegistrySchemaLookupTest {

    /** Canned answers, served in order; the last one repeats. */
    final Deque<int[]> statuses = new ArrayDeque<>();
    final Deque<String> bodies = new ArrayDeque<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    HttpServer server;
    String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            int status;
            String body;
            synchronized (statuses) {
                status = statuses.size() > 1 ? statuses.poll()[0] : statuses.peek()[0];
                body = bodies.size() > 1 ? bodies.poll() : bodies.peek();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    void answer(int status, String body) {
        statuses.add(new int[] {status});
        bodies.add(body);
    }

    static String schemaAnswer(Schema s) throws IOException {
        return new ObjectMapper().writeValueAsString(java.util.Map.of("schema", s.toString()));
    }

    @Test
    void fetchesAndParsesTheSchemaFromCcompat() throws Exception {
        Schema posts = DebeziumFixtures.envelope(DebeziumFixtures.ROWS.get("posts"));
        answer(200, schemaAnswer(posts));

        Schema got = RegistrySchemaLookup.factory(url).create().schema(42);

        assertThat(got).isEqualTo(posts);
        assertThat(paths).containsExactly("/apis/ccompat/v7/schemas/ids/42");
    }

    @Test
    void notFoundIsUnknownSchema() {
        answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        assertThatThrownBy(() -> new RegistrySchemaLookup(url).schema(5))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("40403");
        assertThat(paths).hasSize(1); // not retried
    }

    @Test
    void serverErrorsAreRetried() throws Exception {
        answer(503, "busy");
        answer(200, schemaAnswer(DebeziumFixtures.ROWS.get("users")));
        assertThat(new RegistrySchemaLookup(url).schema(1).getName()).isEqualTo("Value");
        assertThat(paths).hasSize(2);
    }

    @Test
    void persistentServerErrorsEndInAnIoError() {
        answer(500, "down");
        assertThatThrownBy(() -> new RegistrySchemaLookup(url).schema(1))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("HTTP 500");
        assertThat(paths).hasSize(3);
    }

    @Test
    void answersThatAreNotSchemasAreIoErrors() {
        answer(200, "{\"schemaType\":\"AVRO\"}");
        assertThatThrownBy(() -> new RegistrySchemaLookup(url).schema(1))
                .isInstanceOf(IOException.class).hasMessageContaining("no \"schema\" string");
    }

    @Test
    void unreachableRegistryIsAnIoError() {
        server.stop(0);
        assertThatThrownBy(() -> new RegistrySchemaLookup(url).schema(1))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot fetch schema 1");
    }

    @Test
    void theFactoryIsSerializable() throws Exception {
        SchemaLookup.Factory f = InstantiationUtil.clone(RegistrySchemaLookup.factory(url));
        answer(200, schemaAnswer(DebeziumFixtures.ROWS.get("likes")));
        assertThat(f.create().schema(3).getNamespace()).isEqualTo("feed.public.likes");
    }
}
