package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.client.Credentials;
import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same build on a Java 17-21 runtime, as the operator guide promises: the classes compiled for
 * Java 22 are never loaded there, the server says it runs on Netty's epoll datagram channels, and
 * relays over UDP both ways. Runs the server from this build's classes with the machine's older
 * JDK (Debian's OpenJDK 17 under /usr/lib/jvm); skipped when there is none, or when the suite
 * itself runs on one (every other test covers that case then).
 */
class OlderJavaRuntimeTest {
    @TempDir
    Path dir;

    @Test
    void aJava17RuntimeServesAndRelaysOnNettysDatagramPath() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the suite runs on Java < 22 already");
        Optional<Path> older = olderJava();
        assumeTrue(older.isPresent(), "no Java 17-21 under /usr/lib/jvm");
        Path log = dir.resolve("tern.log");
        Process tern = new ProcessBuilder(
                        older.get().toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dlogback.configurationFile=logback.xml",
                        Main.class.getName(),
                        "serve",
                        "--listening-ip",
                        "127.0.0.1",
                        "--listening-port",
                        "0",
                        "--no-tcp",
                        "--no-tls",
                        "--no-http",
                        "--realm",
                        "older",
                        "--user",
                        "alice:secret",
                        "--min-port",
                        "34100",
                        "--max-port",
                        "34199",
                        "--allow-loopback-peers")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress server = awaitListening(log, tern);
            assertThat(Files.readString(log)).contains("event loops over epoll").doesNotContain("native datagrams");
            peer.setSoTimeout(5000);
            CompletableFuture<byte[]> back = new CompletableFuture<>();
            InboundListener listener = new InboundListener() {
                @Override
                public void onChannelData(int channel, ByteBuf data) {
                    byte[] b = new byte[data.readableBytes()];
                    data.getBytes(data.readerIndex(), b);
                    back.complete(b);
                }
            };
            try (StunClient client = StunClient.builder(server)
                    .credentials(new Credentials("alice", "secret"))
                    .inboundListener(listener)
                    .connect()
                    .get(5, TimeUnit.SECONDS)) {
                InetSocketAddress relayed =
                        client.allocate().get(5, TimeUnit.SECONDS).relayedAddress();
                client.channelBind(0x4001, (InetSocketAddress) peer.getLocalSocketAddress())
                        .get(5, TimeUnit.SECONDS);
                byte[] there = "to the peer over Java 17".getBytes(StandardCharsets.UTF_8);
                client.sendChannelData(0x4001, Unpooled.wrappedBuffer(there));
                DatagramPacket at = new DatagramPacket(new byte[2048], 2048);
                peer.receive(at);
                assertThat(Arrays.copyOf(at.getData(), at.getLength())).isEqualTo(there);
                assertThat(at.getPort()).isEqualTo(relayed.getPort());
                byte[] reply = "and back".getBytes(StandardCharsets.UTF_8);
                peer.send(new DatagramPacket(reply, reply.length, at.getSocketAddress()));
                assertThat(back.get(5, TimeUnit.SECONDS)).isEqualTo(reply);
            }
        } catch (Exception | AssertionError e) {
            throw new AssertionError("tern's output:\n" + Files.readString(log), e);
        } finally {
            tern.destroy();
            assertThat(tern.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The newest JDK 17-21 under /usr/lib/jvm, as its java launcher. */
    private static Optional<Path> olderJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> !Files.isSymbolicLink(home))
                    .filter(home -> {
                        int feature = feature(home);
                        return feature >= 17 && feature < 22;
                    })
                    .max((a, b) -> Integer.compare(feature(a), feature(b)))
                    .map(home -> home.resolve("bin/java"));
        }
    }

    private static int feature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                Matcher m = Pattern.compile("^JAVA_VERSION=\"(\\d+)").matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static final Pattern LISTENING = Pattern.compile("Tern listening on udp 127\\.0\\.0\\.1:(\\d+)");

    private static InetSocketAddress awaitListening(Path log, Process tern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
            if (!tern.isAlive()) {
                throw new AssertionError("tern exited with " + tern.exitValue());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("tern did not say it was listening within 20 s");
    }
}
