package io.tern.server.udp;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Tern's own datagram path: {@code recvmmsg}/{@code sendmmsg} called through the JDK's Foreign
 * Function & Memory API on native arrays made once per event loop, with the socket registered on
 * Netty's epoll loop like any channel. The implementation is compiled for JDK 22 (FFM is final
 * there) into the same package; this class finds it, or says why it cannot be used.
 */
public abstract class NativeUdp {
    private static final String IMPLEMENTATION = "io.tern.server.udp.FfmUdp";

    /** Opens a socket bound to {@code bind} on {@code loop}, an epoll loop; call on that loop. */
    public abstract UdpSocket open(EventLoop loop, InetSocketAddress bind, UdpOptions options, UdpReceiver receiver)
            throws IOException;

    /** The implementation, or null when this JVM or system cannot run it ({@link #unavailability()}). */
    public static NativeUdp load() {
        if (unavailability() != null) {
            return null;
        }
        try {
            return (NativeUdp)
                    Class.forName(IMPLEMENTATION).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Why the native path cannot run here, or null when it can. */
    public static String unavailability() {
        if (Runtime.version().feature() < 22) {
            return "it needs Java 22 or later (this is Java "
                    + Runtime.version().feature() + ")";
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.equals("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "it runs on Linux on x86-64 or aarch64 only (this is " + os + " on " + arch + ")";
        }
        try {
            Class.forName(IMPLEMENTATION, false, NativeUdp.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "this build of Tern was made without it (build with JDK 22 or later)";
        }
        return null;
    }
}
