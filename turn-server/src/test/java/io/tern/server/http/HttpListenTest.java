package io.tern.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.cli.Main;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code --http-listen IP:PORT} / {@code --no-http} options. */
class HttpListenTest {
    @Test
    void parsesIpv4AndBracketedIpv6() throws Exception {
        assertThat(HttpListen.parse("127.0.0.1:9641"))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9641));
        assertThat(HttpListen.parse("0.0.0.0:0")).isEqualTo(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        assertThat(HttpListen.parse("[::1]:9641")).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 9641));
        assertThat(HttpListen.format(HttpListen.parse("[::1]:9641"))).isEqualTo("[0:0:0:0:0:0:0:1]:9641");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "9641",
                ":9641",
                "127.0.0.1",
                "127.0.0.1:",
                "localhost:9641",
                "::1:9641",
                "1.2.3.4:65536",
                "1.2.3.4:x"
            })
    void refusesWhatIsNotIpColonPort(String value) {
        assertThatThrownBy(() -> HttpListen.parse(value))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("http-listen"))
                .hasMessageContaining(value);
    }

    @Test
    void theDefaultIsLoopbackPort9641() {
        assertThat(ServerConfig.defaults().httpListen()).isEqualTo(ServerConfig.DEFAULT_HTTP_LISTEN);
        assertThat(HttpListen.format(ServerConfig.DEFAULT_HTTP_LISTEN)).isEqualTo("127.0.0.1:9641");
    }

    private record Outcome(int exitCode, String stderr) {}

    private static Outcome serve(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "serve";
            System.arraycopy(args, 0, all, 1, args.length);
            return new Outcome(Main.run(all), captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void serveRefusesAHostName() {
        Outcome o = serve("--http-listen", "localhost:9641");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.stderr()).contains("http-listen").contains("localhost:9641");
    }

    @Test
    void serveRefusesNoHttpTogetherWithAnAddress() {
        Outcome o = serve("--no-http", "--http-listen", "127.0.0.1:9641");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.stderr()).contains("no-http").contains("--http-listen");
    }

    @Test
    void serveReportsAnHttpPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Outcome o = serve("--listening-ip", "127.0.0.1", "-p", "0", "--threads", "1", "--http-listen", address);
            assertThat(o.exitCode()).isEqualTo(2);
            assertThat(o.stderr()).contains("http-listen").contains(address).contains("not available");
        }
    }
}
