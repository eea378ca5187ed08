"""Binding requests to a STUN server with aioice's own transaction and message code.

Usage: aioice_binding.py HOST UDP_PORT TCP_PORT
Prints "<transport> OK <mapped ip:port> <local ip:port>" per transport; exits 1 on any failure.
Traffic goes only to HOST, which the test passes as a loopback address.
"""
import asyncio
import sys

from aioice import stun


class UdpClient(asyncio.DatagramProtocol):
    def __init__(self):
        self.transaction = None
        self.transaction_id = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        message = stun.parse_message(data)  # raises on a bad FINGERPRINT
        if self.transaction and message.transaction_id == self.transaction_id:
            self.transaction.response_received(message, addr)

    def send_stun(self, message, addr):
        self.transport.sendto(bytes(message), addr)


async def udp(host, port):
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(UdpClient, local_addr=(host, 0))
    try:
        request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
        # aioice's own retransmitting transaction (RFC 5389 timers).
        protocol.transaction_id = request.transaction_id
        protocol.transaction = stun.Transaction(request, (host, port), protocol)
        response, _ = await asyncio.wait_for(protocol.transaction.run(), 10)
        mapped = response.attributes["XOR-MAPPED-ADDRESS"]
        local = transport.get_extra_info("sockname")
        return "%s:%d" % mapped, "%s:%d" % local[:2]
    finally:
        transport.close()


async def tcp(host, port):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    try:
        request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
        writer.write(bytes(request))
        await writer.drain()
        header = await asyncio.wait_for(reader.readexactly(20), 5)
        body = await asyncio.wait_for(reader.readexactly(int.from_bytes(header[2:4], "big")), 5)
        response = stun.parse_message(header + body)
        assert response.transaction_id == request.transaction_id, "transaction id differs"
        assert response.message_class == stun.Class.RESPONSE, response.message_class
        mapped = response.attributes["XOR-MAPPED-ADDRESS"]
        local = writer.get_extra_info("sockname")
        return "%s:%d" % mapped, "%s:%d" % local[:2]
    finally:
        writer.close()


async def main():
    host, udp_port, tcp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    failed = False
    for name, run, port in (("udp", udp, udp_port), ("tcp", tcp, tcp_port)):
        try:
            mapped, local = await run(host, port)
            print(name, "OK", mapped, local)
        except Exception as e:  # report every transport, then fail
            print(name, "FAIL", repr(e))
            failed = True
    sys.exit(1 if failed else 0)


asyncio.run(main())
