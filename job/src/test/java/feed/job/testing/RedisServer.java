package feed.job.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.Jedis;

/**
 * A throw-away redis-server for a test: loopback only, a free port, no
 * persistence, killed afterwards. Tests that need it skip themselves when
 * {@code redis-server} is not installed ({@link #available()}).
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    public final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** True if a redis-server binary is on the PATH. */
    public static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, "redis-server").canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Starts a server with its working directory in {@code dir} and waits until it answers PING. */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        int port = freeLoopbackPort();
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--loglevel", "warning")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        RedisServer server = new RedisServer(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(j.ping())) {
                    return server;
                }
            } catch (RuntimeException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IOException("redis-server did not start on port " + port, notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public Jedis client() {
        return new Jedis("127.0.0.1", port);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
