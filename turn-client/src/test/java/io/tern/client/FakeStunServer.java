package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMessageBuilder;
import io.tern.stun.StunMethod;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A tiny STUN responder on loopback for tests, on plain JDK sockets and threads, so the client is
 * checked against code that shares nothing with it but the codec. A {@link Behaviour} decides what
 * to answer; every request is recorded byte for byte.
 */
final class FakeStunServer implements AutoCloseable {

    /** One request as it arrived. */
    record Received(byte[] bytes, InetSocketAddress sender) {
        StunMessage message() {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                return StunMessage.decode(buf);
            } catch (StunParseException e) {
                throw new AssertionError("the client sent a malformed message: " + e.reason(), e);
            } finally {
                buf.release();
            }
        }

        TransactionId transactionId() {
            return TransactionId.read(Unpooled.wrappedBuffer(bytes), 8);
        }

        /** Runs a check on the raw request through the codec's flyweight reader. */
        boolean check(Predicate<StunReader> check) {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                StunReader reader = new StunReader();
                return reader.wrap(buf) == null && check.test(reader);
            } finally {
                buf.release();
            }
        }
    }

    /** What to send back for the {@code index}-th request (counting from 0); may be nothing. */
    @FunctionalInterface
    interface Behaviour {
        List<byte[]> answer(Received request, int index);
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> sockets = new CopyOnWriteArrayList<>();
    private final Behaviour behaviour;
    private final InetSocketAddress address;

    private FakeStunServer(Behaviour behaviour, AutoCloseable socket, InetSocketAddress address) {
        this.behaviour = behaviour;
        this.address = address;
        sockets.add(socket);
    }

    static FakeStunServer udp(Behaviour behaviour) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        FakeStunServer server =
                new FakeStunServer(behaviour, socket, (InetSocketAddress) socket.getLocalSocketAddress());
        server.thread("udp", () -> server.serveUdp(socket));
        return server;
    }

    static FakeStunServer tcp(Behaviour behaviour) throws IOException {
        return tcp(behaviour, 1);
    }

    /**
     * A TCP responder that holds answers back until {@code batch} of them are ready and then writes
     * them all at once, in two writes split inside the first message: one read then holds several
     * messages, and one message spans two reads.
     */
    static FakeStunServer tcp(Behaviour behaviour, int batch) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FakeStunServer server =
                new FakeStunServer(behaviour, listener, (InetSocketAddress) listener.getLocalSocketAddress());
        server.thread("tcp-accept", () -> {
            while (true) {
                Socket connection = listener.accept();
                connection.setTcpNoDelay(true);
                server.sockets.add(connection);
                server.thread("tcp", () -> server.serveTcp(connection, batch));
            }
        });
        return server;
    }

    InetSocketAddress address() {
        return address;
    }

    /** Every request so far, in arrival order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable socket : sockets) {
            socket.close();
        }
    }

    private void serveUdp(DatagramSocket socket) throws IOException {
        byte[] buffer = new byte[65_535];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            byte[] bytes = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
            InetSocketAddress sender = (InetSocketAddress) packet.getSocketAddress();
            for (byte[] answer : record(new Received(bytes, sender))) {
                socket.send(new DatagramPacket(answer, answer.length, sender));
            }
        }
    }

    private void serveTcp(Socket connection, int batch) throws IOException, InterruptedException {
        DataInputStream in = new DataInputStream(connection.getInputStream());
        OutputStream out = connection.getOutputStream();
        InetSocketAddress sender = (InetSocketAddress) connection.getRemoteSocketAddress();
        List<byte[]> held = new ArrayList<>();
        while (true) {
            byte[] header = new byte[StunReader.HEADER_LENGTH];
            in.readFully(header);
            int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            byte[] message = java.util.Arrays.copyOf(header, header.length + length);
            in.readFully(message, header.length, length);
            held.addAll(record(new Received(message, sender)));
            if (held.size() >= batch) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                held.forEach(all::writeBytes);
                held.clear();
                byte[] bytes = all.toByteArray();
                int split = batch > 1 ? Math.min(30, bytes.length) : bytes.length;
                out.write(bytes, 0, split);
                out.flush();
                if (split < bytes.length) {
                    Thread.sleep(50); // let the client read the first part on its own
                    out.write(bytes, split, bytes.length - split);
                    out.flush();
                }
            }
        }
    }

    private List<byte[]> record(Received request) {
        int index;
        synchronized (received) {
            index = received.size();
            received.add(request);
        }
        return behaviour.answer(request, index);
    }

    @FunctionalInterface
    private interface IoLoop {
        void run() throws Exception;
    }

    /** Runs a serving loop until its socket is closed. */
    private void thread(String name, IoLoop loop) {
        Thread t = new Thread(
                () -> {
                    try {
                        loop.run();
                    } catch (Exception closed) {
                        // the socket was closed: the test is over
                    }
                },
                "fake-stun-" + name);
        t.setDaemon(true);
        t.start();
    }

    // ---- answers, built with the codec ----

    /** Answers every Binding request with the sender's address. */
    static Behaviour binding() {
        return (request, index) -> List.of(bindingSuccess(request));
    }

    /** Never answers. */
    static Behaviour silent() {
        return (request, index) -> List.of();
    }

    static byte[] bindingSuccess(Received request) {
        return bindingSuccess(request.transactionId(), request.sender());
    }

    static byte[] bindingSuccess(TransactionId id, InetSocketAddress mapped) {
        return encode(StunMessage.builder(StunClass.SUCCESS_RESPONSE, StunMethod.BINDING, id)
                .add(new StunAttribute.Address(AttributeType.XOR_MAPPED_ADDRESS, mapped))
                .fingerprint());
    }

    static byte[] error(Received request, int code, String reason) {
        StunMessage message = request.message();
        return encode(StunMessage.builder(StunClass.ERROR_RESPONSE, message.method(), message.transactionId())
                .add(new StunAttribute.ErrorCode(code, reason))
                .fingerprint());
    }

    static byte[] encode(StunMessageBuilder.Sealed message) {
        ByteBuf buf = message.encode(Unpooled.buffer());
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
