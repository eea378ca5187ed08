#!/usr/bin/env python3
"""Verify the STUN test-vector fixtures in this folder (python3 stdlib only).

Usage: python3 verify_vectors.py      (exit status 0 = every check passed)

For every *.hex fixture it checks, independently of the Java code:
  * header: type, magic cookie 0x2112A442, transaction id, and that the
    length field equals (message size - 20) and is a multiple of 4;
  * the attribute walk (TLV + padding to 4) ends exactly at the end;
  * the decoded attribute values against the RFC's published parameters
    (SOFTWARE, USERNAME, NONCE, REALM, PRIORITY, ICE-CONTROLLED,
    XOR-MAPPED-ADDRESS, USERHASH, PASSWORD-ALGORITHM);
  * MESSAGE-INTEGRITY (HMAC-SHA1) / MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256),
    computed over the message up to the attribute with the header length
    field rewritten to end just after that attribute;
  * FINGERPRINT = crc32(message up to the attribute, length field ending
    after FINGERPRINT) XOR 0x5354554e, and that it is the last attribute.
Keys: short-term = password bytes; RFC 5769 long-term =
MD5(username ":" realm ":" SASLprep(password)); RFC 8489 SHA-256 =
SHA-256(username ":" realm ":" password) (RFC 8489 section 18.5.1.2).

It also re-checks the RFC 8489 B.1 bytes *as printed in the RFC* (kept
below, not as a fixture) and reports which checks they fail; that part is
informational and does not affect the exit status.
"""
import hashlib
import hmac
import ipaddress
import os
import stringprep
import struct
import sys
import unicodedata
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = 0x2112A442

USERNAME, MESSAGE_INTEGRITY, REALM, NONCE = 0x0006, 0x0008, 0x0014, 0x0015
MESSAGE_INTEGRITY_SHA256, PASSWORD_ALGORITHM, USERHASH = 0x001C, 0x001D, 0x001E
XOR_MAPPED_ADDRESS, PRIORITY = 0x0020, 0x0024
SOFTWARE, FINGERPRINT, ICE_CONTROLLED = 0x8022, 0x8028, 0x8029


def saslprep(s):
    """RFC 4013 SASLprep (stored strings), enough for these vectors."""
    s = "".join(" " if stringprep.in_table_c12(c) else c
                for c in s if not stringprep.in_table_b1(c))
    s = unicodedata.normalize("NFKC", s)
    for c in s:
        if (stringprep.in_table_c12(c) or stringprep.in_table_c21_c22(c)
                or stringprep.in_table_c3(c) or stringprep.in_table_c4(c)
                or stringprep.in_table_c5(c) or stringprep.in_table_c6(c)
                or stringprep.in_table_c7(c) or stringprep.in_table_c8(c)
                or stringprep.in_table_c9(c) or stringprep.in_table_a1(c)):
            raise ValueError("prohibited character U+%04X" % ord(c))
    return s


SHORT_TERM_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt"
LT_USERNAME = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"
LT_PASSWORD_RAW = "The\u00ADM\u00AAtr\u2168"
LT_PASSWORD = saslprep(LT_PASSWORD_RAW)
LT_REALM = "example.org"


def lt_md5_key():
    return hashlib.md5(f"{LT_USERNAME}:{LT_REALM}:{LT_PASSWORD}".encode()).digest()


def lt_sha256_key():
    return hashlib.sha256(f"{LT_USERNAME}:{LT_REALM}:{LT_PASSWORD}".encode()).digest()


VECTORS = {
    "rfc5769-2.1-request.hex": dict(
        type=0x0001, tid="b7e7a701bc34d686fa87dfae", key=SHORT_TERM_PASSWORD.encode(),
        attrs=[SOFTWARE, PRIORITY, ICE_CONTROLLED, USERNAME, MESSAGE_INTEGRITY, FINGERPRINT],
        values={SOFTWARE: b"STUN test client", USERNAME: b"evtj:h6vY",
                PRIORITY: bytes.fromhex("6e0001ff"),
                ICE_CONTROLLED: bytes.fromhex("932ff9b151263b36")}),
    "rfc5769-2.2-response-ipv4.hex": dict(
        type=0x0101, tid="b7e7a701bc34d686fa87dfae", key=SHORT_TERM_PASSWORD.encode(),
        attrs=[SOFTWARE, XOR_MAPPED_ADDRESS, MESSAGE_INTEGRITY, FINGERPRINT],
        values={SOFTWARE: b"test vector"}, mapped=("192.0.2.1", 32853)),
    "rfc5769-2.3-response-ipv6.hex": dict(
        type=0x0101, tid="b7e7a701bc34d686fa87dfae", key=SHORT_TERM_PASSWORD.encode(),
        attrs=[SOFTWARE, XOR_MAPPED_ADDRESS, MESSAGE_INTEGRITY, FINGERPRINT],
        values={SOFTWARE: b"test vector"},
        mapped=("2001:db8:1234:5678:11:2233:4455:6677", 32853)),
    "rfc5769-2.4-request-long-term.hex": dict(
        type=0x0001, tid="78ad3433c6ad72c029da412e", key=lt_md5_key(),
        attrs=[USERNAME, NONCE, REALM, MESSAGE_INTEGRITY],
        values={USERNAME: LT_USERNAME.encode(), NONCE: b"f//499k954d6OL34oL9FSTvy64sA",
                REALM: LT_REALM.encode()}),
    "rfc8489-b.1-request-sha256-userhash.hex": dict(
        type=0x0001, tid="78ad3433c6ad72c029da412e", key=lt_sha256_key(),
        attrs=[USERHASH, NONCE, REALM, PASSWORD_ALGORITHM, MESSAGE_INTEGRITY_SHA256],
        values={USERHASH: hashlib.sha256(f"{LT_USERNAME}:{LT_REALM}".encode()).digest(),
                NONCE: b"obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA",
                REALM: LT_REALM.encode(), PASSWORD_ALGORITHM: bytes.fromhex("00020000")}),
}

# RFC 8489 Appendix B.1 exactly as printed in the RFC (superseded by erratum 6268).
RFC8489_B1_AS_PRINTED = bytes.fromhex(
    "0001009c2112a44278ad3433c6ad72c029da412e"
    "001e00204a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704"
    "001500296f624d61744a6f7332414141" "43662f2f3439396b39353464364f4c33"
    "346f4c394653547679363473" "41000000"
    "0014000b6578616d706c652e6f726700"
    "001c0020e4686c8f0edeb59013e07090010a93efccbccc544c0a45d9f830aa6d6f735a01")


def read_hex(path):
    digits = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                digits.extend(line.split())
    return bytes(int(d, 16) for d in digits)


def with_length(msg, end):
    """msg[:end] with the header length set as if the message ended at `end`."""
    return msg[:2] + struct.pack(">H", end - 20) + msg[4:end]


def xor_address(value, tid):
    family, xport = struct.unpack(">xBH", value[:4])
    port = xport ^ (MAGIC >> 16)
    mask = struct.pack(">I", MAGIC) + tid
    raw = bytes(a ^ b for a, b in zip(value[4:], mask))
    if family == 1 and len(raw) == 4:
        return str(ipaddress.IPv4Address(raw)), port
    if family == 2 and len(raw) == 16:
        return str(ipaddress.IPv6Address(raw)), port
    raise ValueError("bad XOR-MAPPED-ADDRESS")


def check(msg, spec):
    """Return a list of (check name, ok, detail)."""
    results = []

    def ok(name, cond, detail=""):
        results.append((name, bool(cond), detail))

    mtype, length, cookie = struct.unpack(">HHI", msg[:8])
    tid = msg[8:20]
    ok("header type", mtype == spec["type"], "0x%04x" % mtype)
    ok("magic cookie", cookie == MAGIC)
    ok("transaction id", tid.hex() == spec["tid"], tid.hex())
    ok("length field == size-20", length == len(msg) - 20,
       "field=0x%02x size-20=0x%02x" % (length, len(msg) - 20))
    ok("length multiple of 4", length % 4 == 0)

    attrs, pos = [], 20
    while pos + 4 <= len(msg):
        atype, alen = struct.unpack(">HH", msg[pos:pos + 4])
        value = msg[pos + 4:pos + 4 + alen]
        attrs.append((atype, value, pos))
        pos += 4 + alen + (-alen % 4)
    ok("attribute walk ends at end of message", pos == len(msg), "pos=%d" % pos)
    ok("attribute order", [a[0] for a in attrs] == spec["attrs"],
       " ".join("0x%04x" % a[0] for a in attrs))
    found = {a[0]: a for a in attrs}

    for atype, expected in spec.get("values", {}).items():
        got = found.get(atype, (None, b""))[1]
        ok("value of 0x%04x" % atype, got == expected, got.hex() if got != expected else "")
    if "mapped" in spec:
        got = xor_address(found[XOR_MAPPED_ADDRESS][1], tid)
        ok("XOR-MAPPED-ADDRESS", got == spec["mapped"], "%s port %d" % got)

    for atype, algo, name in ((MESSAGE_INTEGRITY, hashlib.sha1, "MESSAGE-INTEGRITY"),
                              (MESSAGE_INTEGRITY_SHA256, hashlib.sha256,
                               "MESSAGE-INTEGRITY-SHA256")):
        if atype in found:
            _, value, apos = found[atype]
            end = apos + 4 + len(value)
            mac = hmac.new(spec["key"], with_length(msg, end)[:apos], algo).digest()
            ok(name, hmac.compare_digest(mac, value), "computed " + mac.hex())
    if FINGERPRINT in found:
        _, value, apos = found[FINGERPRINT]
        crc = zlib.crc32(with_length(msg, apos + 8)[:apos]) ^ 0x5354554E
        ok("FINGERPRINT", struct.pack(">I", crc) == value, "computed %08x" % crc)
        ok("FINGERPRINT is last", apos + 8 == len(msg))
    return results


def main():
    failures = 0
    print("SASLprep(%r) = %r" % (LT_PASSWORD_RAW, LT_PASSWORD))
    if LT_PASSWORD != "TheMatrIX":
        print("FAIL: SASLprep result is not TheMatrIX")
        failures += 1
    for name, spec in VECTORS.items():
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            print("MISSING %s" % name)
            failures += 1
            continue
        msg = read_hex(path)
        results = check(msg, spec)
        bad = [r for r in results if not r[1]]
        failures += len(bad)
        print("%s %s (%d bytes, %d checks)" % ("PASS" if not bad else "FAIL", name,
                                                len(msg), len(results)))
        for rname, rok, detail in results:
            if not rok or rname in ("MESSAGE-INTEGRITY", "MESSAGE-INTEGRITY-SHA256",
                                    "FINGERPRINT", "XOR-MAPPED-ADDRESS"):
                print("    %-4s %s %s" % ("ok" if rok else "FAIL", rname, detail))

    # Informational: the RFC 8489 B.1 bytes as printed.
    spec = dict(VECTORS["rfc8489-b.1-request-sha256-userhash.hex"])
    spec["attrs"] = [USERHASH, NONCE, REALM, MESSAGE_INTEGRITY_SHA256]
    spec["values"] = {k: v for k, v in spec["values"].items() if k != PASSWORD_ALGORITHM}
    print("INFO RFC 8489 B.1 as printed in the RFC (not a fixture; superseded by erratum 6268):")
    for rname, rok, detail in check(RFC8489_B1_AS_PRINTED, spec):
        if not rok:
            print("    FAIL %s %s" % (rname, detail))
    print("    note: no PASSWORD-ALGORITHM attribute, yet the HMAC key is the SHA-256 one")
    msg, apos = RFC8489_B1_AS_PRINTED, len(RFC8489_B1_AS_PRINTED) - 36
    mac = hmac.new(lt_sha256_key(), msg[:apos], hashlib.sha256).digest()
    print("    note: HMAC-SHA256 over the bytes with the printed (wrong) length 0x9c %s"
          % ("matches the printed value" if mac == msg[-32:] else "does not match"))

    print("RESULT: %s" % ("all vectors verified" if failures == 0 else "%d failure(s)" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
