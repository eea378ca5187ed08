package io.tern.server.policy;

import static io.tern.server.policy.Addresses.ip;
import static io.tern.server.policy.Addresses.peer;
import static io.tern.server.policy.Addresses.ranges;
import static io.tern.server.policy.PeerVerdict.ALLOWED;
import static io.tern.server.policy.PeerVerdict.DENIED_BY_RULE;
import static io.tern.server.policy.PeerVerdict.DENIED_SERVER_ADDRESS;
import static io.tern.server.policy.PeerVerdict.DENIED_SPECIAL_PURPOSE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The peer policy as a pure function: addresses in, verdicts out, no socket anywhere. */
class PeerFilterTest {
    private static final PeerFilter DEFAULTS =
            PeerFilter.create(List.of(), List.of(), false, List.of(new InetSocketAddress(ip("192.0.2.1"), 3478)));

    private static PeerFilter filter(
            String allowed, String denied, boolean allowLoopback, InetSocketAddress... server) {
        return PeerFilter.create(
                ranges("allowed-peer-ip", allowed), ranges("denied-peer-ip", denied), allowLoopback, List.of(server));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # peer                                          | reason (part of)
            0.0.0.0                                         | "this network" 0.0.0.0/8
            0.1.2.3                                         | "this network" 0.0.0.0/8
            0.255.255.255                                   | "this network" 0.0.0.0/8
            10.0.0.0                                        | private-use 10.0.0.0/8
            10.128.0.1                                      | private-use 10.0.0.0/8
            10.255.255.255                                  | private-use 10.0.0.0/8
            100.64.0.0                                      | shared address space (CGN) 100.64.0.0/10
            100.100.100.200                                 | shared address space (CGN) 100.64.0.0/10
            100.127.255.255                                 | shared address space (CGN) 100.64.0.0/10
            127.0.0.0                                       | loopback 127.0.0.0/8
            127.0.0.1                                       | loopback 127.0.0.0/8
            127.255.255.255                                 | loopback 127.0.0.0/8
            169.254.0.0                                     | link-local 169.254.0.0/16
            169.254.1.1                                     | link-local 169.254.0.0/16
            169.254.169.254                                 | cloud metadata service, link-local 169.254.169.254/32
            169.254.255.255                                 | link-local 169.254.0.0/16
            172.16.0.0                                      | private-use 172.16.0.0/12
            172.20.1.1                                      | private-use 172.16.0.0/12
            172.31.255.255                                  | private-use 172.16.0.0/12
            192.0.0.0                                       | IETF protocol assignments 192.0.0.0/24
            192.0.0.9                                       | IETF protocol assignments 192.0.0.0/24
            192.0.0.170                                     | IETF protocol assignments 192.0.0.0/24
            192.0.0.255                                     | IETF protocol assignments 192.0.0.0/24
            192.0.2.0                                       | documentation (TEST-NET-1) 192.0.2.0/24
            192.0.2.128                                     | documentation (TEST-NET-1) 192.0.2.0/24
            192.0.2.255                                     | documentation (TEST-NET-1) 192.0.2.0/24
            192.88.99.0                                     | 6to4 relay anycast (deprecated) 192.88.99.0/24
            192.88.99.1                                     | 6to4 relay anycast (deprecated) 192.88.99.0/24
            192.88.99.255                                   | 6to4 relay anycast (deprecated) 192.88.99.0/24
            192.168.0.0                                     | private-use 192.168.0.0/16
            192.168.1.1                                     | private-use 192.168.0.0/16
            192.168.255.255                                 | private-use 192.168.0.0/16
            198.18.0.0                                      | benchmarking 198.18.0.0/15
            198.18.128.1                                    | benchmarking 198.18.0.0/15
            198.19.255.255                                  | benchmarking 198.18.0.0/15
            198.51.100.0                                    | documentation (TEST-NET-2) 198.51.100.0/24
            198.51.100.7                                    | documentation (TEST-NET-2) 198.51.100.0/24
            198.51.100.255                                  | documentation (TEST-NET-2) 198.51.100.0/24
            203.0.113.0                                     | documentation (TEST-NET-3) 203.0.113.0/24
            203.0.113.5                                     | documentation (TEST-NET-3) 203.0.113.0/24
            203.0.113.255                                   | documentation (TEST-NET-3) 203.0.113.0/24
            224.0.0.0                                       | multicast 224.0.0.0/4
            224.0.0.251                                     | multicast 224.0.0.0/4
            239.255.255.255                                 | multicast 224.0.0.0/4
            240.0.0.0                                       | reserved 240.0.0.0/4
            250.1.2.3                                       | reserved 240.0.0.0/4
            255.255.255.254                                 | reserved 240.0.0.0/4
            255.255.255.255                                 | limited broadcast 255.255.255.255/32
            ::                                              | unspecified ::/128
            ::1                                             | loopback ::1/128
            ::ffff:127.0.0.1                                | loopback 127.0.0.0/8
            mapped16:127.0.0.1                              | loopback 127.0.0.0/8
            mapped16:10.0.0.1                               | private-use 10.0.0.0/8
            mapped16:169.254.169.254                        | cloud metadata service
            mapped16:0.0.0.0                                | "this network" 0.0.0.0/8
            ::2                                             | IPv4-compatible (deprecated) ::/96
            ::127.0.0.1                                     | IPv4-compatible (deprecated) ::/96
            ::8.8.8.8                                       | IPv4-compatible (deprecated) ::/96
            ::255.255.255.255                               | IPv4-compatible (deprecated) ::/96
            ::ffff:0:1.2.3.4                                | not global unicast (outside 2000::/3)
            64:ff9b::                                       | NAT64 well-known prefix 64:ff9b::/96
            64:ff9b::a00:1                                  | NAT64 well-known prefix 64:ff9b::/96
            64:ff9b::808:808                                | NAT64 well-known prefix 64:ff9b::/96
            64:ff9b::ffff:ffff                              | NAT64 well-known prefix 64:ff9b::/96
            64:ff9b:1::                                     | NAT64 local-use 64:ff9b:1::/48
            64:ff9b:1:2::3                                  | NAT64 local-use 64:ff9b:1::/48
            64:ff9b:1:ffff:ffff:ffff:ffff:ffff              | NAT64 local-use 64:ff9b:1::/48
            100::                                           | discard-only 100::/64
            100::1                                          | discard-only 100::/64
            100::ffff:ffff:ffff:ffff                        | discard-only 100::/64
            100:0:0:1::                                     | dummy prefix 100:0:0:1::/64
            100:0:0:1:ffff:ffff:ffff:ffff                   | dummy prefix 100:0:0:1::/64
            2001::                                          | Teredo 2001::/32
            teredo:127.0.0.1                                | Teredo 2001::/32
            teredo:8.8.8.8                                  | Teredo 2001::/32
            2001:0:ffff:ffff:ffff:ffff:ffff:ffff            | Teredo 2001::/32
            2001:1::1                                       | IETF protocol assignments 2001::/23
            2001:1::2                                       | IETF protocol assignments 2001::/23
            2001:2::                                        | benchmarking 2001:2::/48
            2001:2:0:ffff:ffff:ffff:ffff:ffff               | benchmarking 2001:2::/48
            2001:3::1                                       | IETF protocol assignments 2001::/23
            2001:4:112::1                                   | IETF protocol assignments 2001::/23
            2001:10::                                       | ORCHID (deprecated) 2001:10::/28
            2001:1f:ffff:ffff:ffff:ffff:ffff:ffff           | ORCHID (deprecated) 2001:10::/28
            2001:20::                                       | ORCHIDv2 2001:20::/28
            2001:2f:ffff:ffff:ffff:ffff:ffff:ffff           | ORCHIDv2 2001:20::/28
            2001:30::1                                      | IETF protocol assignments 2001::/23
            2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff          | IETF protocol assignments 2001::/23
            2001:db8::                                      | documentation 2001:db8::/32
            2001:db8::1                                     | documentation 2001:db8::/32
            2001:db8:ffff:ffff:ffff:ffff:ffff:ffff          | documentation 2001:db8::/32
            2002::                                          | 6to4 2002::/16
            2002:7f00:1::1                                  | 6to4 2002::/16
            2002:a00:1::1                                   | 6to4 2002::/16
            2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | 6to4 2002::/16
            3fff::                                          | documentation 3fff::/20
            3fff:123::1                                     | documentation 3fff::/20
            3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff          | documentation 3fff::/20
            5f00::                                          | SRv6 SIDs 5f00::/16
            5f00:1::1                                       | SRv6 SIDs 5f00::/16
            5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | SRv6 SIDs 5f00::/16
            fc00::                                          | unique-local fc00::/7
            fd00:ec2::254                                   | unique-local fc00::/7
            fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | unique-local fc00::/7
            fe80::                                          | link-local fe80::/10
            fe80::1                                         | link-local fe80::/10
            febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | link-local fe80::/10
            fec0::                                          | site-local (deprecated) fec0::/10
            fec0::1                                         | site-local (deprecated) fec0::/10
            feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | site-local (deprecated) fec0::/10
            ff00::                                          | multicast ff00::/8
            ff02::1                                         | multicast ff00::/8
            ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | multicast ff00::/8
            1000::                                          | not global unicast (outside 2000::/3)
            1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff         | not global unicast (outside 2000::/3)
            4000::1                                         | not global unicast (outside 2000::/3)
            c000::1                                         | not global unicast (outside 2000::/3)
            """)
    void refusedByDefault(String address, String reason) {
        PeerDecision decision = DEFAULTS.decide(peer(address, 5000));

        assertThat(decision.verdict()).isEqualTo(DENIED_SPECIAL_PURPOSE);
        assertThat(decision.reason()).contains(reason);
        assertThat(DEFAULTS.check(peer(address, 5000))).isEqualTo(DENIED_SPECIAL_PURPOSE);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8.8.8.8",
                "1.1.1.1",
                "9.9.9.9",
                "1.0.0.0",
                "9.255.255.255",
                "11.0.0.0",
                "100.63.255.255",
                "100.128.0.0",
                "126.255.255.255",
                "128.0.0.0",
                "169.253.255.255",
                "169.255.0.0",
                "172.15.255.255",
                "172.32.0.0",
                "192.0.1.255",
                "192.0.3.0",
                "192.31.196.1",
                "192.52.193.1",
                "192.88.98.255",
                "192.88.100.0",
                "192.167.255.255",
                "192.169.0.0",
                "192.175.48.1",
                "198.17.255.255",
                "198.20.0.0",
                "198.51.99.255",
                "198.51.101.0",
                "203.0.112.255",
                "203.0.114.0",
                "223.255.255.255",
                "mapped16:8.8.8.8",
                "::ffff:1.1.1.1",
                "2606:4700:4700::1111",
                "2001:4860:4860::8888",
                "2a00:1450:4001:82a::200e",
                "2000::1",
                "2001:200::1",
                "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
                "2001:db9::",
                "2003::1",
                "2620:4f:8000::1",
                "3ffe::1",
                "3fff:1000::",
                "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
            })
    void globallyRoutableUnicastIsAllowed(String address) {
        PeerDecision decision = DEFAULTS.decide(peer(address, 5000));

        assertThat(decision.verdict()).isEqualTo(ALLOWED);
        assertThat(decision.allowed()).isTrue();
    }

    /** Every block of the default table refuses its first, middle and last address. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specialPurposeAddresses")
    void everyEntryOfTheTableIsRefused(String entry, InetAddress address, boolean loopback) {
        assertThat(DEFAULTS.check(new InetSocketAddress(address, 5000))).isEqualTo(DENIED_SPECIAL_PURPOSE);
        PeerFilter loopbackAllowed = filter("", "", true);
        assertThat(loopbackAllowed.check(new InetSocketAddress(address, 5000)))
                .isEqualTo(loopback ? ALLOWED : DENIED_SPECIAL_PURPOSE);
    }

    static Stream<Arguments> specialPurposeAddresses() throws UnknownHostException {
        List<Arguments> cases = new ArrayList<>();
        for (SpecialPurpose.Entry[] table : List.of(SpecialPurpose.IPV4, SpecialPurpose.IPV6)) {
            for (SpecialPurpose.Entry entry : table) {
                BigInteger first = new BigInteger(1, entry.range().first().getAddress());
                BigInteger last = new BigInteger(1, entry.range().last().getAddress());
                int size = entry.range().isIpv6() ? 16 : 4;
                for (BigInteger n : List.of(first, first.add(last).shiftRight(1), last)) {
                    byte[] b = new byte[size];
                    byte[] raw = n.toByteArray();
                    int take = Math.min(raw.length, size);
                    System.arraycopy(raw, raw.length - take, b, size - take, take);
                    InetAddress address =
                            size == 16 ? Inet6Address.getByAddress(null, b, null) : InetAddress.getByAddress(b);
                    cases.add(
                            Arguments.of(entry.reason() + " @ " + address.getHostAddress(), address, entry.loopback()));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with allow-loopback-peers -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1                   | ALLOWED
            127.0.0.0                   | ALLOWED
            127.255.255.255             | ALLOWED
            ::1                         | ALLOWED
            ::ffff:127.0.0.1            | ALLOWED
            mapped16:127.0.0.1          | ALLOWED
            10.0.0.1                    | DENIED_SPECIAL_PURPOSE
            192.168.1.1                 | DENIED_SPECIAL_PURPOSE
            169.254.169.254             | DENIED_SPECIAL_PURPOSE
            0.0.0.0                     | DENIED_SPECIAL_PURPOSE
            ::                          | DENIED_SPECIAL_PURPOSE
            fe80::1                     | DENIED_SPECIAL_PURPOSE
            mapped16:10.0.0.1           | DENIED_SPECIAL_PURPOSE
            ::127.0.0.1                 | DENIED_SPECIAL_PURPOSE
            64:ff9b::7f00:1             | DENIED_SPECIAL_PURPOSE
            2002:7f00:1::1              | DENIED_SPECIAL_PURPOSE
            teredo:127.0.0.1            | DENIED_SPECIAL_PURPOSE
            8.8.8.8                     | ALLOWED
            """)
    void allowLoopbackLetsOnlyLoopbackThrough(String address, PeerVerdict expected) {
        assertThat(filter("", "", true).check(peer(address, 5000))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "allowed={0} denied={1} loopback={2}: {3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # allowed-peer-ip               | denied-peer-ip               | loopback | peer                          | verdict                 | reason (part of)
            10.0.0.0-10.0.0.255             |                              | false    | 10.0.0.7                      | ALLOWED                 | allowed
            10.0.0.0-10.0.0.255             |                              | false    | 10.0.0.0                      | ALLOWED                 | allowed
            10.0.0.0-10.0.0.255             |                              | false    | 10.0.0.255                    | ALLOWED                 | allowed
            10.0.0.0-10.0.0.255             |                              | false    | mapped16:10.0.0.7             | ALLOWED                 | allowed
            10.0.0.0-10.0.0.255             |                              | false    | 10.0.1.1                      | DENIED_SPECIAL_PURPOSE  | private-use 10.0.0.0/8
            fd00:1::/32                     |                              | false    | fd00:1::5                     | ALLOWED                 | allowed
            fd00:1::/32                     |                              | false    | fd00:2::5                     | DENIED_SPECIAL_PURPOSE  | unique-local fc00::/7
                                            | 8.8.8.0/24                   | false    | 8.8.8.8                       | DENIED_BY_RULE          | denied-peer-ip 8.8.8.0/24
                                            | 8.8.8.0/24                   | false    | mapped16:8.8.8.8              | DENIED_BY_RULE          | denied-peer-ip 8.8.8.0/24
                                            | 8.8.8.0/24                   | false    | 8.8.4.4                       | ALLOWED                 | allowed
                                            | 2606:4700::/32               | false    | 2606:4700:4700::1111          | DENIED_BY_RULE          | denied-peer-ip 2606:4700::/32
                                            | 2606:4700::/32               | false    | 2606:4701::1                  | ALLOWED                 | allowed
                                            | 1.1.1.1-1.1.1.3              | false    | 1.1.1.2                       | DENIED_BY_RULE          | denied-peer-ip 1.1.1.1-1.1.1.3
                                            | 127.0.0.0/8                  | true     | 127.0.0.1                     | DENIED_BY_RULE          | denied-peer-ip 127.0.0.0/8
            8.8.8.8                         | 8.8.0.0/16                   | false    | 8.8.8.8                       | ALLOWED                 | allowed
            8.8.8.8                         | 8.8.0.0/16                   | false    | 8.8.4.4                       | DENIED_BY_RULE          | denied-peer-ip 8.8.0.0/16
            10.0.0.0/8                      | 10.0.0.0/8                   | false    | 10.1.2.3                      | ALLOWED                 | allowed
            2001:db8::/32                   | 2001:db8::/32                | false    | 2001:db8::1                   | ALLOWED                 | allowed
            2002::/16                       |                              | false    | 2002:7f00:1::1                | DENIED_SPECIAL_PURPOSE  | loopback 127.0.0.0/8, embedded in 6to4 2002::/16
            2002::/16                       |                              | false    | 2002:a00:1::1                 | DENIED_SPECIAL_PURPOSE  | private-use 10.0.0.0/8, embedded in 6to4 2002::/16
            2002::/16                       |                              | false    | 2002:a9fe:a9fe::1             | DENIED_SPECIAL_PURPOSE  | cloud metadata service
            2002::/16                       |                              | false    | 2002:808:808::1               | ALLOWED                 | allowed
            2002::/16                       |                              | true     | 2002:7f00:1::1                | ALLOWED                 | allowed
            2002::/16;10.0.0.0/8            |                              | false    | 2002:a00:1::1                 | ALLOWED                 | allowed
            2002::/16                       | 8.8.8.0/24                   | false    | 2002:808:808::1               | DENIED_BY_RULE          | denied-peer-ip 8.8.8.0/24, embedded in 6to4 2002::/16
            64:ff9b::/96                    |                              | false    | 64:ff9b::a00:1                | DENIED_SPECIAL_PURPOSE  | private-use 10.0.0.0/8, embedded in NAT64 64:ff9b::/96
            64:ff9b::/96                    |                              | false    | 64:ff9b::a9fe:a9fe            | DENIED_SPECIAL_PURPOSE  | cloud metadata service
            64:ff9b::/96                    |                              | false    | 64:ff9b::7f00:1               | DENIED_SPECIAL_PURPOSE  | loopback 127.0.0.0/8, embedded in NAT64
            64:ff9b::/96                    |                              | false    | 64:ff9b::808:808              | ALLOWED                 | allowed
            2001::/32                       |                              | false    | teredo:127.0.0.1              | DENIED_SPECIAL_PURPOSE  | loopback 127.0.0.0/8, embedded in Teredo 2001::/32
            2001::/32                       |                              | false    | teredo:192.168.1.1            | DENIED_SPECIAL_PURPOSE  | private-use 192.168.0.0/16, embedded in Teredo
            2001::/32                       |                              | false    | teredo:8.8.8.8                | ALLOWED                 | allowed
            ::/96                           |                              | false    | ::127.0.0.1                   | DENIED_SPECIAL_PURPOSE  | loopback 127.0.0.0/8, embedded in IPv4-compatible ::/96
            ::/96                           |                              | false    | ::10.0.0.1                    | DENIED_SPECIAL_PURPOSE  | private-use 10.0.0.0/8, embedded in IPv4-compatible
            ::/96                           |                              | false    | ::8.8.8.8                     | ALLOWED                 | allowed
            ::/96                           |                              | true     | ::127.0.0.1                   | ALLOWED                 | allowed
            ::/0                            |                              | false    | 2002:a00:1::1                 | DENIED_SPECIAL_PURPOSE  | private-use 10.0.0.0/8, embedded in 6to4
            ::/0                            |                              | false    | fe80::1                       | ALLOWED                 | allowed
            ::/0                            |                              | false    | 10.0.0.1                      | DENIED_SPECIAL_PURPOSE  | private-use 10.0.0.0/8
            """)
    void rulesThenDefaults(
            String allowed, String denied, boolean loopback, String address, PeerVerdict verdict, String reason) {
        PeerDecision decision = filter(allowed, denied, loopback).decide(peer(address, 5000));

        assertThat(decision.verdict()).isEqualTo(verdict);
        assertThat(decision.reason()).contains(reason);
    }

    @ParameterizedTest(name = "listening on {0}:{1}, peer {2}:{3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # listener          | port  | peer                  | port  | verdict
            127.0.0.1           | 3478  | 127.0.0.1             | 3478  | DENIED_SERVER_ADDRESS
            127.0.0.1           | 3478  | mapped16:127.0.0.1    | 3478  | DENIED_SERVER_ADDRESS
            127.0.0.1           | 3478  | ::ffff:127.0.0.1      | 3478  | DENIED_SERVER_ADDRESS
            127.0.0.1           | 3478  | 0.0.0.0               | 3478  | DENIED_SERVER_ADDRESS
            127.0.0.1           | 3478  | 127.0.0.1             | 3479  | ALLOWED
            127.0.0.1           | 3478  | 127.0.0.2             | 3478  | ALLOWED
            127.0.0.1           | 3478  | ::1                   | 3478  | ALLOWED
            ::1                 | 3478  | ::1                   | 3478  | DENIED_SERVER_ADDRESS
            ::1                 | 3478  | ::                    | 3478  | DENIED_SERVER_ADDRESS
            ::1                 | 3478  | ::1                   | 5349  | ALLOWED
            192.0.2.10          | 3478  | 192.0.2.10            | 3478  | DENIED_SERVER_ADDRESS
            192.0.2.10          | 3478  | mapped16:192.0.2.10   | 3478  | DENIED_SERVER_ADDRESS
            192.0.2.10          | 3478  | 2002:c000:20a::1      | 3478  | DENIED_SERVER_ADDRESS
            192.0.2.10          | 3478  | 64:ff9b::c000:20a     | 3478  | DENIED_SERVER_ADDRESS
            192.0.2.10          | 3478  | 192.0.2.10            | 3479  | ALLOWED
            192.0.2.10          | 3478  | 192.0.2.11            | 3478  | ALLOWED
            192.0.2.10          | 3478  | 2002:c000:20a::1      | 3479  | ALLOWED
            2001:db8::10        | 3478  | 2001:db8::10          | 3478  | DENIED_SERVER_ADDRESS
            2001:db8::10        | 3478  | 2001:db8::10          | 5349  | ALLOWED
            2001:db8::10        | 3478  | 2001:db8::11          | 3478  | ALLOWED
            """)
    void ownTransportAddressIsNeverAPeer(
            String listener, int listenerPort, String address, int port, PeerVerdict verdict) {
        // Everything relevant is allowed by rules or allow-loopback-peers; only the server rule can refuse.
        PeerFilter filter = filter(
                "192.0.2.0/24;2001:db8::/32;2002::/16;64:ff9b::/96;0.0.0.0/32;::/128",
                "",
                true,
                peer(listener, listenerPort));
        InetSocketAddress destination = peer(address, port);

        assertThat(filter.check(destination)).isEqualTo(verdict);
        assertThat(filter.isServerTransportAddress(destination)).isEqualTo(verdict == DENIED_SERVER_ADDRESS);
    }

    @ParameterizedTest(name = "wildcard {0}, peer {1}:{2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # wildcard | peer                  | port  | verdict
            0.0.0.0    | 192.0.2.7             | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | mapped16:192.0.2.7    | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | 2001:db8::7           | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | fe80::7               | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | 127.0.0.1             | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | 127.1.2.3             | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | ::1                   | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | 0.0.0.0               | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | ::                    | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | 2002:c000:207::1      | 3478  | DENIED_SERVER_ADDRESS
            0.0.0.0    | 192.0.2.7             | 3479  | ALLOWED
            0.0.0.0    | 192.0.2.8             | 3478  | ALLOWED
            0.0.0.0    | 2001:db8::8           | 3478  | ALLOWED
            0.0.0.0    | 127.0.0.1             | 3479  | ALLOWED
            0.0.0.0    | ::1                   | 3479  | ALLOWED
            ::         | 192.0.2.7             | 3478  | DENIED_SERVER_ADDRESS
            ::         | 2001:db8::7           | 3478  | DENIED_SERVER_ADDRESS
            ::         | fe80::7               | 3478  | DENIED_SERVER_ADDRESS
            ::         | 127.0.0.1             | 3478  | DENIED_SERVER_ADDRESS
            ::         | ::1                   | 3478  | DENIED_SERVER_ADDRESS
            ::         | 2001:db8::7           | 3479  | ALLOWED
            ::         | 192.0.2.8             | 3478  | ALLOWED
            """)
    void wildcardListenerMeansEveryLocalAddress(String wildcard, String address, int port, PeerVerdict verdict)
            throws UnknownHostException {
        List<InetAddress> snapshot = List.of(
                ip("192.0.2.7"),
                ip("2001:db8::7"),
                Inet6Address.getByAddress(null, ip("fe80::7").getAddress(), 2), // scoped, as interfaces report it
                ip("127.0.0.1"),
                ip("::1"));
        PeerFilter filter = PeerFilter.create(
                ranges("allowed-peer-ip", "192.0.2.0/24;2001:db8::/32;fe80::/10;2002::/16;0.0.0.0/32;::/128"),
                List.of(),
                true,
                List.of(peer(wildcard, 3478)),
                snapshot);

        assertThat(filter.check(peer(address, port))).isEqualTo(verdict);
    }

    @Test
    void decisionsArePrebuiltAndReused() {
        InetSocketAddress publicPeer = peer("8.8.8.8", 5000);
        InetSocketAddress loopbackPeer = peer("127.0.0.1", 5000);

        assertThat(DEFAULTS.decide(publicPeer)).isSameAs(DEFAULTS.decide(peer("2606:4700:4700::1111", 1)));
        assertThat(DEFAULTS.decide(publicPeer).reason()).isEqualTo("allowed");
        assertThat(DEFAULTS.decide(loopbackPeer)).isSameAs(DEFAULTS.decide(peer("mapped16:127.0.0.2", 9)));
        assertThat(DEFAULTS.decide(loopbackPeer))
                .hasToString("DENIED_SPECIAL_PURPOSE (loopback 127.0.0.0/8)")
                .isEqualTo(new PeerDecision(DENIED_SPECIAL_PURPOSE, "loopback 127.0.0.0/8"));
    }

    @Test
    void anUnresolvedPeerIsRefused() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("peer.invalid", 3478);

        assertThat(DEFAULTS.check(unresolved)).isEqualTo(DENIED_SPECIAL_PURPOSE);
        assertThat(DEFAULTS.isServerTransportAddress(unresolved)).isFalse();
    }

    @Test
    void serverAddressesMustBeBound() {
        assertThatThrownBy(() -> filter("", "", false, peer("127.0.0.1", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bound address");
        assertThatThrownBy(() -> filter("", "", false, InetSocketAddress.createUnresolved("tern.invalid", 3478)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsItsConfiguration() {
        PeerFilter filter = filter("10.0.0.0/8", "8.8.8.0/24;2606:4700::/32", true);

        assertThat(filter.allowedRanges()).containsExactly(IpRange.parse("x", "10.0.0.0/8"));
        assertThat(filter.deniedRanges()).hasSize(2);
        assertThat(filter.allowLoopback()).isTrue();
        assertThat(filter.toString()).contains("10.0.0.0/8", "8.8.8.0/24", "2606:4700::/32");
    }

    @Test
    void verdictTagsAreMetricLabels() {
        assertThat(Stream.of(PeerVerdict.values()).map(PeerVerdict::tag))
                .containsExactly("allowed", "server_address", "denied_by_rule", "special_purpose");
        assertThat(ALLOWED.allowed()).isTrue();
        assertThat(DENIED_BY_RULE.allowed()).isFalse();
    }
}
