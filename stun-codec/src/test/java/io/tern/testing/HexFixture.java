package io.tern.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A test fixture in the hex format of {@code src/test/resources/vectors/README.md}: comment lines
 * starting with {@code #}, then the message as whitespace-separated hex pairs.
 *
 * @param name the file name, e.g. {@code rfc5769-2.1-request.hex}
 * @param comments the comment lines without the leading {@code #} and surrounding spaces
 * @param bytes the message
 */
public record HexFixture(String name, List<String> comments, byte[] bytes) {
    public HexFixture {
        comments = List.copyOf(comments);
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Loads one fixture from the test class path, e.g. {@code "vectors/rfc5769-2.1-request.hex"}. */
    public static HexFixture load(String resource) {
        try (InputStream in = HexFixture.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            String name = resource.substring(resource.lastIndexOf('/') + 1);
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code *.hex} fixture in a class-path directory (in a directory or a jar), by name. */
    public static List<HexFixture> loadAll(String directory) {
        URL url = HexFixture.class.getClassLoader().getResource(directory);
        if (url == null) {
            throw new IllegalArgumentException("no test resource directory " + directory);
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return loadAll(jar.provider().getPath(uri));
                }
            }
            return loadAll(Path.of(uri));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<HexFixture> loadAll(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> hex = files.filter(p -> p.getFileName().toString().endsWith(".hex"))
                    .sorted()
                    .toList();
            List<HexFixture> out = new ArrayList<>();
            for (Path p : hex) {
                out.add(parse(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8)));
            }
            return out;
        }
    }

    /** Parses the text of a fixture file. */
    public static HexFixture parse(String name, String text) {
        List<String> comments = new ArrayList<>();
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                comments.add(trimmed.substring(1).strip());
            } else {
                hex.append(trimmed.replaceAll("\\s+", ""));
            }
        }
        return new HexFixture(name, comments, HexFormat.of().parseHex(hex));
    }

    /** The value of the first {@code # key: value} comment, if any. */
    public Optional<String> header(String key) {
        String prefix = key + ":";
        return comments.stream()
                .filter(c -> c.startsWith(prefix))
                .map(c -> c.substring(prefix.length()).strip())
                .findFirst();
    }

    @Override
    public String toString() {
        return name;
    }
}
