"""Relays datagrams through a TURN server with aioice's own TURN client, to an echo peer on loopback.

Usage: aioice_turn.py HOST UDP_PORT TCP_PORT USERNAME PASSWORD TRANSPORT [TRANSPORT...]
(TRANSPORT is udp, tcp or tls: how aioice reaches the server; the relay is UDP either way. tls is
TURN over TLS to port $AIOICE_TLS_PORT, the server's certificate checked against $AIOICE_CA_FILE.)

Per transport, on one allocation made by aioice.turn.create_turn_endpoint (401/nonce dance, Allocate):
  1. Send/Data indications: CreatePermission through aioice's authenticated transaction code, then
     Send indications built with aioice's codec; each echo must come back as a Data indication.
     aioice 0.8.0's TURN client never sends Send indications itself (it binds a channel before its
     first datagram and ignores Data indications), so this path is driven by hand.
  2. Channels: aioice's own send_data (what TurnTransport.sendto schedules): ChannelBind, then
     ChannelData; each echo must come back as ChannelData. Halfway, the script waits past
     channel_refresh_time so aioice re-binds the same channel to the same peer (a refresh).
  3. Refresh (LIFETIME 600), then Refresh LIFETIME 0 (delete), each answered with success.
Every payload is echoed one at a time and compared byte for byte, with the peer address it came
from. Every success response to an authenticated request must carry a MESSAGE-INTEGRITY that
verifies with the long-term key (aioice itself does not check it).

Prints one line per transport and exits 1 if any failed:
  <transport> OK relayed=IP:PORT sent=N echoed=N peer=N indications=A/B channel=C/D channel_binds=K signed=S
  <transport> FAIL <reason>
All traffic goes to HOST and to an echo peer on 127.0.0.1; every wait is bounded.
"""
import asyncio
import os
import random
import ssl
import sys
import time

from aioice import stun, turn

# aioice's codec table has no DATA attribute (its client never needs one); register it so the same
# codec builds Send indications and reads Data indications.
_DATA = (0x0013, "DATA", stun.pack_bytes, stun.unpack_bytes)
stun.ATTRIBUTES_BY_TYPE.setdefault(0x0013, _DATA)
stun.ATTRIBUTES_BY_NAME.setdefault("DATA", _DATA)

PEER_IP = "127.0.0.1"
FIXED_SIZES = [1, 3, 100, 101, 1000, 1199, 1200]
INDICATION_PAYLOADS = len(FIXED_SIZES) + 3
CHANNEL_PAYLOADS = len(FIXED_SIZES) + 13
CHANNEL_REFRESH_TIME = 1  # seconds; aioice re-binds a channel older than this before sending on it
ECHO_TIMEOUT = 2.0
TRANSPORT_TIMEOUT = 8.0
OVERALL_TIMEOUT = 20.0


class Failure(Exception):
    pass


class EchoPeer(asyncio.DatagramProtocol):
    def __init__(self):
        self.count = 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.count += 1
        self.transport.sendto(data, addr)


class Application(asyncio.DatagramProtocol):
    """What the application sees on top of TurnTransport, plus Data indications (see Wire)."""

    def __init__(self):
        self.queue = asyncio.Queue()

    def connection_made(self, transport):
        pass

    def connection_lost(self, exc):
        pass

    def datagram_received(self, data, addr):
        self.queue.put_nowait(("channel", data, addr))


class Wire:
    """Watches what aioice's TURN protocol sends and receives, without changing what it does."""

    def __init__(self, inner):
        self.inner = inner
        self.app = None  # set once create_turn_endpoint returns; Data indications come later
        self.channel_binds = 0
        self.signed = 0
        self.errors = []
        self._receive = inner.datagram_received
        self._send_stun = inner.send_stun
        inner.datagram_received = self.datagram_received
        inner.send_stun = self.send_stun

    def send_stun(self, message, addr):
        if message.message_method == stun.Method.CHANNEL_BIND and message.message_class == stun.Class.REQUEST:
            self.channel_binds += 1
        self._send_stun(message, addr)

    def datagram_received(self, data, addr):
        if len(data) >= 4 and turn.is_channel_data(data):
            self._receive(data, addr)
            return
        try:
            message = stun.parse_message(data)  # checks FINGERPRINT when present
        except ValueError as e:
            self.errors.append("unparseable from server (%s): %s" % (e, data.hex()))
            return
        if message.message_method == stun.Method.DATA and message.message_class == stun.Class.INDICATION:
            if self.app is None:
                self.errors.append("Data indication before the allocation was made: %s" % data.hex())
                return
            self.app.queue.put_nowait(
                ("indication", message.attributes.get("DATA"), message.attributes.get("XOR-PEER-ADDRESS"))
            )
            return
        if message.message_class == stun.Class.RESPONSE and self.inner.integrity_key is not None:
            if "MESSAGE-INTEGRITY" not in message.attributes:
                self.errors.append("%s success without MESSAGE-INTEGRITY: %s" % (message.message_method.name, data.hex()))
            else:
                try:
                    stun.parse_message(data, integrity_key=self.inner.integrity_key)
                    self.signed += 1
                except ValueError as e:
                    self.errors.append("%s success: %s: %s" % (message.message_method.name, e, data.hex()))
        self._receive(data, addr)


# Attach a Wire as soon as aioice's TURN protocol gets its socket, so the Allocate exchange is seen too.
_connection_made = turn.TurnClientMixin.connection_made


def _watched_connection_made(self, transport):
    _connection_made(self, transport)
    self.wire = Wire(self)


turn.TurnClientMixin.connection_made = _watched_connection_made


def payloads(count, rng):
    sizes = FIXED_SIZES + [rng.randint(1, 1200) for _ in range(count - len(FIXED_SIZES))]
    rng.shuffle(sizes)
    return [os.urandom(n) for n in sizes]


async def expect_echo(app, kind, payload, peer, what):
    try:
        got_kind, data, addr = await asyncio.wait_for(app.queue.get(), ECHO_TIMEOUT)
    except asyncio.TimeoutError:
        raise Failure("%s: no echo of %d bytes within %.0f s" % (what, len(payload), ECHO_TIMEOUT))
    if got_kind != kind:
        raise Failure("%s: echo of %d bytes came back as %s, expected %s" % (what, len(payload), got_kind, kind))
    if tuple(addr or ()) != peer:
        raise Failure("%s: echo came from %r, expected %r" % (what, addr, peer))
    if data != payload:
        raise Failure(
            "%s: echo differs: sent %d bytes %s..., got %d bytes %s..."
            % (what, len(payload), payload[:16].hex(), len(data or b""), (data or b"")[:16].hex())
        )


async def relay(transport_name, server, username, password, rng):
    loop = asyncio.get_running_loop()
    peer_transport, peer = await loop.create_datagram_endpoint(EchoPeer, local_addr=(PEER_IP, 0))
    peer_addr = peer_transport.get_extra_info("sockname")[:2]
    turn_transport = None
    inner = None
    try:
        turn_transport, app = await turn.create_turn_endpoint(
            Application,
            server_addr=server,
            username=username,
            password=password,
            lifetime=600,
            channel_refresh_time=CHANNEL_REFRESH_TIME,
            # "tls" is TURN over TLS on TCP, checked against AIOICE_CA_FILE (name and chain).
            transport="tcp" if transport_name == "tls" else transport_name,
            ssl=ssl.create_default_context(cafile=os.environ["AIOICE_CA_FILE"]) if transport_name == "tls" else False,
        )
        inner = turn_transport._TurnTransport__inner_protocol
        wire = inner.wire
        wire.app = app
        relayed = turn_transport.get_extra_info("sockname")
        sent = echoed = 0

        # 1. Send and Data indications.
        permission = stun.Message(message_method=stun.Method.CREATE_PERMISSION, message_class=stun.Class.REQUEST)
        permission.attributes["XOR-PEER-ADDRESS"] = peer_addr
        await inner.request_with_retry(permission)
        indications = 0
        for payload in payloads(INDICATION_PAYLOADS, rng):
            send = stun.Message(message_method=stun.Method.SEND, message_class=stun.Class.INDICATION)
            send.attributes["XOR-PEER-ADDRESS"] = peer_addr
            send.attributes["DATA"] = payload
            inner.send_stun(send, server)
            sent += 1
            await expect_echo(app, "indication", payload, peer_addr, "indication %d" % sent)
            echoed += 1
            indications += 1

        # 2. Channels, with a re-bind of the same channel halfway through.
        channel_payloads = payloads(CHANNEL_PAYLOADS, rng)
        channel = 0
        for i, payload in enumerate(channel_payloads):
            if i == len(channel_payloads) // 2:
                await asyncio.sleep(CHANNEL_REFRESH_TIME + 0.2)
            await inner.send_data(payload, peer_addr)
            sent += 1
            await expect_echo(app, "channel", payload, peer_addr, "channel datagram %d" % (i + 1))
            echoed += 1
            channel += 1
        if wire.channel_binds < 2:
            raise Failure("aioice sent %d ChannelBind, expected a bind and a refresh" % wire.channel_binds)

        # 3. Refresh, then delete.
        inner.refresh_handle.cancel()
        inner.refresh_handle = None
        refresh = stun.Message(message_method=stun.Method.REFRESH, message_class=stun.Class.REQUEST)
        refresh.attributes["LIFETIME"] = 600
        response, _ = await inner.request_with_retry(refresh)
        if response.attributes.get("LIFETIME") != 600:
            raise Failure("Refresh answered LIFETIME %r, expected 600" % response.attributes.get("LIFETIME"))
        delete = stun.Message(message_method=stun.Method.REFRESH, message_class=stun.Class.REQUEST)
        delete.attributes["LIFETIME"] = 0
        await inner.request_with_retry(delete)

        if wire.errors:
            raise Failure("; ".join(wire.errors[:3]))
        if peer.count != sent:
            raise Failure("the peer got %d datagrams, %d were sent" % (peer.count, sent))
        return "relayed=%s:%d sent=%d echoed=%d peer=%d indications=%d/%d channel=%d/%d channel_binds=%d signed=%d" % (
            relayed[0],
            relayed[1],
            sent,
            echoed,
            peer.count,
            indications,
            INDICATION_PAYLOADS,
            channel,
            len(channel_payloads),
            wire.channel_binds,
            wire.signed,
        )
    finally:
        if inner is not None:
            if inner.refresh_handle:
                inner.refresh_handle.cancel()
            inner.transport.close()
        peer_transport.close()


async def main():
    host, udp_port, tcp_port, username, password = sys.argv[1:6]
    transports = sys.argv[6:] or ["udp", "tcp"]
    seed = int(os.environ.get("AIOICE_TURN_SEED", time.time_ns() % 1000000))
    print("seed", seed)
    rng = random.Random(seed)
    deadline = time.monotonic() + OVERALL_TIMEOUT
    failed = False
    for name in transports:
        port = int({"udp": udp_port, "tcp": tcp_port}.get(name) or os.environ["AIOICE_TLS_PORT"])
        budget = min(TRANSPORT_TIMEOUT, deadline - time.monotonic())
        try:
            if budget <= 0:
                raise Failure("out of time")
            line = await asyncio.wait_for(relay(name, (host, port), username, password, rng), budget)
            print(name, "OK", line, flush=True)
        except asyncio.TimeoutError:
            print(name, "FAIL timed out after %.1f s" % budget, flush=True)
            failed = True
        except Exception as e:  # report every transport, then fail
            print(name, "FAIL %s: %s" % (type(e).__name__, e), flush=True)
            failed = True
    sys.exit(1 if failed else 0)


asyncio.run(main())
