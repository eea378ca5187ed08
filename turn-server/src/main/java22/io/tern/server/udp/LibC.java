package io.tern.server.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The C library calls the datagram path makes, and the Linux constants and struct offsets they
 * need (the same on x86-64 and aarch64). Calls that can fail capture {@code errno} into a
 * per-loop segment ({@link #errno}), so reading it allocates nothing.
 *
 * <pre>
 *  struct mmsghdr (64 bytes)                     struct iovec (16 bytes)
 *   0 msg_name       void*                        0 iov_base  void*
 *   8 msg_namelen    socklen_t (+4 padding)       8 iov_len   size_t
 *  16 msg_iov        struct iovec*
 *  24 msg_iovlen     size_t                      struct sockaddr_in6 (28 bytes)
 *  32 msg_control    void*                        0 family (host order)  2 port (network order)
 *  40 msg_controllen size_t                       4 flowinfo  8 address (16)  24 scope id
 *  48 msg_flags      int (+4 padding)
 *  56 msg_len        unsigned int (+4 padding)   struct sockaddr_in (16 bytes)
 *                                                 0 family  2 port  4 address (4)  8 zero (8)
 *  struct cmsghdr (16 bytes, then the value)
 *   0 cmsg_len  size_t   8 cmsg_level  int   12 cmsg_type  int   16 value (UDP_SEGMENT: u16)
 * </pre>
 */
final class LibC {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_REUSEPORT = 15;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int SOL_UDP = 17;
    /** Sends one buffer as several datagrams of a size given in a control message (GSO, Linux 4.18). */
    static final int UDP_SEGMENT = 103;

    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int EADDRINUSE = 98;

    static final int MMSGHDR = 64;
    static final int MSG_NAME = 0;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_FLAGS = 48;
    static final int MSG_LEN = 56;
    static final int IOVEC = 16;
    static final int SOCKADDR_IN = 16;
    static final int SOCKADDR_IN6 = 28;
    /** Room for either sockaddr, 8-byte aligned. */
    static final int SOCKADDR_SLOT = 32;

    static final int CMSG_LEN = 0;
    static final int CMSG_LEVEL = 8;
    static final int CMSG_TYPE = 12;
    static final int CMSG_DATA = 16;
    /** {@code CMSG_SPACE} of a u16: the header and the value padded to 8 bytes. */
    static final int CMSG_SPACE_U16 = 24;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code int socket(int domain, int type, int protocol)} */
    static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t length)} */
    static final MethodHandle SETSOCKOPT =
            call("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *length)} */
    static final MethodHandle GETSOCKOPT =
            call("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code int bind(int fd, const struct sockaddr *address, socklen_t length)} */
    static final MethodHandle BIND = call("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int getsockname(int fd, struct sockaddr *address, socklen_t *length)} */
    static final MethodHandle GETSOCKNAME =
            call("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /**
     * {@code int recvmmsg(int fd, struct mmsghdr *vector, unsigned n, int flags, struct timespec
     * *timeout)}, the vector passed as a raw address so that no segment is made per call.
     */
    static final MethodHandle RECVMMSG =
            call("recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    /** {@code int sendmmsg(int fd, struct mmsghdr *vector, unsigned n, int flags)}, likewise. */
    static final MethodHandle SENDMMSG =
            call("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    /** {@code int close(int fd)} */
    static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private LibC() {}

    /** The {@code errno} a call captured into {@code state}. */
    static int errno(MemorySegment state) {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol =
                LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
        return LINKER.downcallHandle(symbol, descriptor, ERRNO);
    }
}
