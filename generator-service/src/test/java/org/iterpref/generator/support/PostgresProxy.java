package org.iterpref.generator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of the shared PostgreSQL, on a port of its own, that a test can take down and
 * bring back on the same port: {@link #cut} drops every connection and refuses new ones, as a
 * restarting PostgreSQL does; {@link #restore} accepts again.
 */
public final class PostgresProxy implements AutoCloseable {

    private static final Pattern HOST_PORT = Pattern.compile("//([^/:]+):(\\d+)/");

    private final String jdbcUrl;
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    private PostgresProxy(String targetJdbcUrl) throws IOException {
        Matcher m = HOST_PORT.matcher(targetJdbcUrl);
        if (!m.find()) {
            throw new IllegalArgumentException("no host:port in " + targetJdbcUrl);
        }
        this.targetHost = m.group(1);
        this.targetPort = Integer.parseInt(m.group(2));
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        this.jdbcUrl = m.replaceFirst("//127.0.0.1:" + port + "/");
        accept(listener);
    }

    /** A proxy in front of the database a JDBC URL names; its own URL is {@link #jdbcUrl()}. */
    public static PostgresProxy inFrontOf(String jdbcUrl) {
        try {
            return new PostgresProxy(jdbcUrl);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The database goes away: every connection is dropped and new ones are refused. */
    public synchronized void cut() {
        closeQuietly(listener);
        sockets.forEach(PostgresProxy::closeQuietly);
        sockets.clear();
    }

    /** The database is back, on the same port. */
    public synchronized void restore() {
        try {
            listener = listen(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port + " again", e);
        }
        accept(listener);
    }

    @Override
    public void close() {
        cut();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void accept(ServerSocket from) {
        daemon("pg-proxy-accept", () -> {
            while (!from.isClosed()) {
                try {
                    Socket client = from.accept();
                    Socket server = new Socket(targetHost, targetPort);
                    sockets.add(client);
                    sockets.add(server);
                    daemon("pg-proxy-up", () -> pump(client, server));
                    daemon("pg-proxy-down", () -> pump(server, client));
                } catch (IOException e) {
                    return; // cut
                }
            }
        });
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
