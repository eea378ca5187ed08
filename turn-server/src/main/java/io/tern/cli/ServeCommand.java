package io.tern.cli;

import io.tern.server.TernServer;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.ServerConfig.IoTransport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tern serve}: runs the server until SIGTERM or SIGINT. Option names are coturn's where the
 * meaning is the same, so an operator's muscle memory carries over.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run the STUN/TURN server in the foreground until SIGTERM or Ctrl-C.",
            "With no options it answers STUN Binding requests on UDP and TCP port 3478 on every interface."
        })
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(
            names = {"-L", "--listening-ip"},
            paramLabel = "IP",
            description = "Address to listen on; repeat for several. Default: every interface (:: and 0.0.0.0).")
    List<String> listeningIps = new ArrayList<>();

    @Option(
            names = {"-p", "--listening-port"},
            paramLabel = "PORT",
            description = "UDP and TCP port for STUN/TURN. Default: ${DEFAULT-VALUE}.")
    int listeningPort = ServerConfig.DEFAULT_PORT;

    @Option(names = "--no-udp", description = "Do not listen on UDP.")
    boolean noUdp;

    @Option(names = "--no-tcp", description = "Do not listen on TCP.")
    boolean noTcp;

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads. Default: 0, one per CPU.")
    int threads;

    @Option(
            names = "--io-transport",
            paramLabel = "KIND",
            description = "auto, epoll or nio. Default: ${DEFAULT-VALUE} (epoll when available).")
    IoTransport ioTransport = IoTransport.AUTO;

    @Option(
            names = "--software",
            paramLabel = "TEXT",
            description = "SOFTWARE attribute sent in responses. Default: ${DEFAULT-VALUE}.")
    String software = ServerConfig.defaults().software();

    @Option(
            names = "--no-software-attribute",
            description = "Send no SOFTWARE attribute (hides the server's identity).")
    boolean noSoftware;

    @Option(
            names = "--tcp-idle-timeout",
            paramLabel = "SECONDS",
            description = "Close a TCP connection idle this long. Default: ${DEFAULT-VALUE}.")
    int tcpIdleSeconds = ServerConfig.defaults().tcpIdleSeconds();

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config;
        try {
            config = toConfig();
        } catch (ConfigException e) {
            System.err.println("tern: " + e.getMessage());
            return 2;
        }
        TernServer server;
        try {
            server = TernServer.start(config);
        } catch (ConfigException e) {
            System.err.println("tern: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        // TERM and INT end the server cleanly with exit code 0 (what systemd and Docker expect).
        Signals.onStop(stop::countDown);
        stop.await();
        log.info("shutting down");
        server.close();
        log.info("stopped");
        return 0;
    }

    ServerConfig toConfig() {
        List<InetAddress> ips = new ArrayList<>();
        for (String ip : listeningIps) {
            ips.add(literal("listening-ip", ip));
        }
        return ServerConfig.defaults()
                .withListening(ips, listeningPort)
                .withTransports(!noUdp, !noTcp, ioTransport)
                .withThreads(threads)
                .withSoftware(noSoftware ? "" : software)
                .withTcpIdleSeconds(tcpIdleSeconds);
    }

    /** Only IP literals: a host name here would make start-up depend on DNS. */
    static InetAddress literal(String option, String value) {
        if (!value.matches("[0-9a-fA-F:.%\\[\\]]+")) {
            throw new ConfigException(option, value, "give an IP address literal such as 192.0.2.10 or 2001:db8::10");
        }
        try {
            return InetAddress.getByName(value.replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            throw new ConfigException(option, value, "give an IP address literal such as 192.0.2.10 or 2001:db8::10");
        }
    }
}
