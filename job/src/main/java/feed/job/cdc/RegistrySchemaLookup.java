package feed.job.cdc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Fetches writer schemas from a schema registry's Confluent-compatible API,
 * {@code GET {registry}/apis/ccompat/v7/schemas/ids/{id}}, which Apicurio
 * Registry 2.x serves and which answers {@code {"schema": "<schema json>"}}.
 *
 * <p>No caching here: {@link ConfluentAvroDecoder} asks once per id. A
 * failed request (no connection, 5xx) is retried a few times with a short
 * back-off before the {@link IOException} reaches the job, which then
 * restarts from its last checkpoint: a slow registry delays the feed, it
 * does not lose events. A 404 is final ({@link UnknownSchemaException}).
 */
public final class RegistrySchemaLookup implements SchemaLookup {

    /** Path of the Confluent-compatible API under the registry's base URL. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private static final int ATTEMPTS = 3;
    private static final long FIRST_BACKOFF_MS = 200;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /** @param registryUrl the registry's base URL, e.g. {@code http://127.0.0.1:18081} */
    public RegistrySchemaLookup(String registryUrl) {
        this.baseUrl = stripSlash(registryUrl);
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** A serializable factory: the HTTP client is made where the lookup is used. */
    public static SchemaLookup.Factory factory(String registryUrl) {
        String url = stripSlash(registryUrl);
        return () -> new RegistrySchemaLookup(url);
    }

    @Override
    public Schema schema(int id) throws IOException {
        URI uri = URI.create(baseUrl + CCOMPAT_PATH + "/schemas/ids/" + Integer.toUnsignedString(id));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        IOException last = null;
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                sleep(backoff);
                backoff *= 4;
            }
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while fetching schema " + id + " from " + uri);
            } catch (IOException e) {
                last = new IOException("cannot fetch schema " + id + " from " + uri + ": " + e, e);
                continue;
            }
            int status = response.statusCode();
            if (status == 200) {
                return parse(id, response.body());
            }
            if (status == 404) {
                throw new UnknownSchemaException(id, uri + " answered 404 " + snippet(response.body()));
            }
            last = new IOException("cannot fetch schema " + id + " from " + uri + ": HTTP " + status
                    + " " + snippet(response.body()));
            if (status < 500) {
                break; // a 4xx other than 404 will not get better by asking again
            }
        }
        throw last;
    }

    /** Reads the schema out of the registry's answer. Package-private for tests. */
    Schema parse(int id, String body) throws IOException {
        try {
            JsonNode node = json.readTree(body);
            JsonNode schema = node == null ? null : node.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw new IOException("registry answer for schema " + id + " has no \"schema\" string: "
                        + snippet(body));
            }
            return new Schema.Parser().parse(schema.asText());
        } catch (SchemaParseException e) {
            throw new IOException("registry answer for schema " + id + " is not an Avro schema: " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry a schema fetch");
        }
    }

    private static String snippet(String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }

    private static String stripSlash(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
