package io.tern.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The demo page's files, from the classpath folder {@code web/}: {@code /} is {@code
 * web/index.html}, {@code /a/b.js} is {@code web/a/b.js}. Only files with a known extension are
 * served, so neither a directory nor a stray class file can leak. A path is checked before it
 * reaches the class loader: segments of letters, digits, {@code _ . -} only, none of them {@code
 * .} or {@code ..}, so no traversal, however it was percent-encoded.
 *
 * <p>Files found are kept in memory after the first request (the set is fixed by the jar).
 */
final class StaticFiles {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_PATH_CHARS = 512;

    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("map", "application/json"));

    /** A file to send. */
    record File(byte[] bytes, String contentType) {}

    private final String root;
    private final ClassLoader loader;
    private final Map<String, File> cache = new ConcurrentHashMap<>();

    /** Files under the classpath folder {@code root} (no leading or trailing slash). */
    StaticFiles(String root, ClassLoader loader) {
        this.root = root;
        this.loader = loader;
    }

    /** The file for a decoded request path, or null (404). */
    File find(String path) {
        String name = resourceName(path);
        if (name == null) {
            return null;
        }
        File cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        File loaded = load(name);
        if (loaded != null) {
            cache.put(name, loaded);
        }
        return loaded;
    }

    /** {@code root/...} for a safe path, or null. */
    String resourceName(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || path.length() > MAX_PATH_CHARS) {
            return null;
        }
        String relative = path.endsWith("/") ? path.substring(1) + "index.html" : path.substring(1);
        for (String segment : relative.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals("..")) {
                return null;
            }
        }
        return type(relative) == null ? null : root + "/" + relative;
    }

    static String type(String name) {
        int dot = name.lastIndexOf('.');
        int slash = name.lastIndexOf('/');
        return dot <= slash + 1 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private File load(String name) {
        URL url = loader.getResource(name);
        if (url == null) {
            return null;
        }
        try {
            URLConnection connection = url.openConnection();
            if (url.getProtocol().equals("file")) {
                if (!Files.isRegularFile(Path.of(url.toURI()))) {
                    return null;
                }
            } else if (connection instanceof JarURLConnection jar) {
                if (jar.getJarEntry() == null || jar.getJarEntry().isDirectory()) {
                    return null;
                }
            }
            try (InputStream in = connection.getInputStream()) {
                return new File(in.readAllBytes(), type(name));
            }
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
