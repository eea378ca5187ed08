package io.tern.server.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * When the certificate and key files last changed, and their sizes: enough to notice a renewal.
 * Links are followed, so a renewal that repoints a symbolic link (certbot's live/ directory) counts.
 * A file that cannot be read has the stamp -1, which differs from any readable one.
 */
record FileStamp(long certModified, long certSize, long keyModified, long keySize) {
    static FileStamp of(Path cert, Path key) {
        return new FileStamp(modified(cert), size(cert), modified(key), size(key));
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
