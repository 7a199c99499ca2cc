package org.iterpref.localdb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The server's settings from the command line.
 *
 * @param dataDirectory the persistent data directory (default {@code ~/.iterpref/postgres})
 * @param port the TCP port on 127.0.0.1 (default 5433, next to a system server's 5432)
 * @param databases one database and login role per name (default generator, trainer, gateway)
 */
public record LocalPostgresOptions(Path dataDirectory, int port, List<String> databases) {

    static final String USAGE = "usage: local-postgres [--data-dir DIR] [--port 1024-65535] [--database NAME]...";
    static final List<String> DEFAULT_DATABASES = List.of("generator", "trainer", "gateway");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final int MAX_DATABASES = 16;

    public LocalPostgresOptions {
        if (port < 1024 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 1024 and 65535, got " + port);
        }
        if (databases.isEmpty() || databases.size() > MAX_DATABASES) {
            throw new IllegalArgumentException("between 1 and " + MAX_DATABASES + " --database names are allowed");
        }
        for (String name : databases) {
            if (!NAME.matcher(name).matches() || name.equals("postgres") || name.startsWith("template")) {
                throw new IllegalArgumentException("--database '" + name + "' must be a lower-case SQL name "
                        + "([a-z][a-z0-9_]{0,62}) other than postgres and template*");
            }
        }
        databases = List.copyOf(new LinkedHashSet<>(databases));
        dataDirectory = dataDirectory.toAbsolutePath().normalize();
    }

    static LocalPostgresOptions parse(String[] args) {
        Path dataDirectory = LocalPostgres.defaultDataDirectory();
        int port = 5433;
        List<String> databases = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--data-dir" -> dataDirectory = Path.of(value);
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number, got '" + value + "'");
                    }
                }
                case "--database" -> databases.add(value);
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new LocalPostgresOptions(dataDirectory, port, databases.isEmpty() ? DEFAULT_DATABASES : databases);
    }
}
