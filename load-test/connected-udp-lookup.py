#!/usr/bin/env python3
"""What connected UDP sockets on a server's listening port cost the kernel.

Some TURN servers open a connected UDP socket per client on the listening address
(SO_REUSEPORT + connect), so that the kernel hands each client's datagrams to its own socket.
This measures, for N such sockets sharing 127.0.0.1:PORT with one unconnected listener, the CPU
of one datagram from a new source (what Binding requests and first Allocates are) and of one
datagram to a connected socket, each sent and received on loopback by this process.

Usage: load-test/connected-udp-lookup.py [N ...]   (default: 0 1000 5000 9000)
Needs an open-files limit above the largest N. Loopback only; every socket closes at exit.
"""
import resource
import socket
import sys
import time

PORT = 34771
PAYLOAD = b"x" * 100


def per_datagram_us(count, sender, receiver):
    start = time.process_time()
    for _ in range(count):
        sender.sendto(PAYLOAD, ("127.0.0.1", PORT))
        receiver.recv(2048)
    return (time.process_time() - start) / count * 1e6


def measure(n):
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", PORT))
    connected = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", PORT))
        s.connect(("127.0.0.2", 1024 + i))
        connected.append(s)
    stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stranger.bind(("127.0.0.1", 0))
    count = 20000 if n < 5000 else 3000
    per_datagram_us(count, stranger, listener)  # warm caches
    line = f"{n:6d} connected sockets: datagram from a new source {min(per_datagram_us(count, stranger, listener) for _ in range(3)):7.1f} µs"
    if n:
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.bind(("127.0.0.2", 1024 + n // 2))
        own = connected[n // 2]
        per_datagram_us(count, client, own)
        line += f", datagram to its connected socket {min(per_datagram_us(count, client, own) for _ in range(3)):5.1f} µs"
        client.close()
    print(line, flush=True)
    for s in [listener, stranger, *connected]:
        s.close()


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [0, 1000, 5000, 9000]
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if max(sizes) + 100 > hard:
        sys.exit(f"connected-udp-lookup: N={max(sizes)} needs an open-files limit above {max(sizes) + 100} (hard limit {hard})")
    for n in sizes:
        measure(n)


if __name__ == "__main__":
    main()
