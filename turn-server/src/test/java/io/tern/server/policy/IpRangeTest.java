package io.tern.server.policy;

import static io.tern.server.policy.Addresses.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.config.ConfigException;
import java.net.Inet6Address;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangeTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # text                                          | canonical                                       | inside (space-separated)                                                                        | outside
            203.0.113.5                                     | 203.0.113.5                                     | 203.0.113.5                                                                                     | 203.0.113.4 203.0.113.6 ::ffff:cb00:7105:0
            2001:db8::1                                     | 2001:db8::1                                     | 2001:db8::1 2001:db8:0:0:0:0:0:1                                                                | 2001:db8::2 ::1 203.0.113.5
            2001:DB8::A                                     | 2001:db8::a                                     | 2001:db8::a                                                                                     | 2001:db8::b
            10.0.0.0-10.255.255.255                         | 10.0.0.0/8                                      | 10.0.0.0 10.255.255.255 10.1.2.3 mapped16:10.1.2.3                                              | 9.255.255.255 11.0.0.0 ::a00:1
            '  10.0.0.1 - 10.0.0.9  '                       | 10.0.0.1-10.0.0.9                               | 10.0.0.1 10.0.0.9 10.0.0.5                                                                      | 10.0.0.0 10.0.0.10
            192.0.2.0/24                                    | 192.0.2.0/24                                    | 192.0.2.0 192.0.2.255 192.0.2.77                                                                | 192.0.1.255 192.0.3.0
            192.0.2.7/32                                    | 192.0.2.7                                       | 192.0.2.7                                                                                       | 192.0.2.6 192.0.2.8
            0.0.0.0/0                                       | 0.0.0.0/0                                       | 0.0.0.0 255.255.255.255 8.8.8.8 mapped16:8.8.8.8                                                | :: 2001:db8::1
            128.0.0.0-255.255.255.255                       | 128.0.0.0/1                                     | 128.0.0.0 200.1.1.1 255.255.255.255                                                             | 127.255.255.255 0.0.0.0 1.2.3.4
            2001:db8::/32                                   | 2001:db8::/32                                   | 2001:db8:: 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff 2001:db8:1::1                                 | 2001:db7:ffff:ffff:ffff:ffff:ffff:ffff 2001:db9::
            2001:db8:1:2::/64                               | 2001:db8:1:2::/64                               | 2001:db8:1:2:: 2001:db8:1:2:ffff:ffff:ffff:ffff                                                 | 2001:db8:1:1:ffff:ffff:ffff:ffff 2001:db8:1:3::
            2001:db8::1/128                                 | 2001:db8::1                                     | 2001:db8::1                                                                                     | 2001:db8:: 2001:db8::2
            ::/0                                            | ::/0                                            | :: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 8000:: 2001:db8::1                                   | 0.0.0.0 8.8.8.8
            8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff  | 8000::/1                                        | 8000:: ffff::1 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff                                          | 7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ::1
            2001:db8::ffff:ffff:ffff:fff0-2001:db8:0:1::f   | 2001:db8::ffff:ffff:ffff:fff0-2001:db8:0:1::f   | 2001:db8::ffff:ffff:ffff:fff0 2001:db8::ffff:ffff:ffff:ffff 2001:db8:0:1:: 2001:db8:0:1::f      | 2001:db8::ffff:ffff:ffff:ffef 2001:db8:0:1::10 2001:db8:0:2:: 2001:db8::
            ::ffff:ffff:ffff:ffff-0:0:0:1::                 | ::ffff:ffff:ffff:ffff-0:0:0:1::                 | ::ffff:ffff:ffff:ffff 0:0:0:1::                                                                 | ::ffff:ffff:ffff:fffe 0:0:0:1::1
            0:0:0:1::-0:0:0:1:ffff:ffff:ffff:ffff           | 0:0:0:1::/64                                    | 0:0:0:1:8000:: 0:0:0:1:7fff:ffff:ffff:ffff                                                      | 0:0:0:2:: ::ffff:ffff:ffff:ffff
            ::ffff:10.0.0.1                                 | 10.0.0.1                                        | 10.0.0.1 mapped16:10.0.0.1                                                                      | 10.0.0.2
            ::ffff:10.0.0.0/104                             | 10.0.0.0/8                                      | 10.0.0.0 10.255.255.255                                                                         | 11.0.0.0
            ::ffff:10.0.0.1-::ffff:10.0.0.9                 | 10.0.0.1-10.0.0.9                               | 10.0.0.1 10.0.0.9                                                                               | 10.0.0.10
            ::1.2.3.4                                       | ::102:304                                       | ::1.2.3.4                                                                                       | 1.2.3.4
            1:2:3:4:5:6:7::                                 | 1:2:3:4:5:6:7:0                                 | 1:2:3:4:5:6:7:0                                                                                 | 1:2:3:4:5:6:7:1
            2001:0db8:0000:0000:0001:0000:0000:0001         | 2001:db8::1:0:0:1                               | 2001:db8:0:0:1::1                                                                               | 2001:db8::1
            """)
    void parsesCoturnFormsAndCidr(String text, String canonical, String inside, String outside) {
        IpRange range = IpRange.parse("allowed-peer-ip", text);

        assertThat(range).hasToString(canonical);
        assertThat(IpRange.parse("allowed-peer-ip", range.toString())).isEqualTo(range);
        for (String address : inside.split(" ")) {
            assertThat(range.contains(ip(address)))
                    .as("%s in %s", address, text)
                    .isTrue();
        }
        for (String address : outside.split(" ")) {
            assertThat(range.contains(ip(address)))
                    .as("%s not in %s", address, text)
                    .isFalse();
        }
    }

    @Test
    void firstAndLastKeepTheFamily() {
        IpRange v4 = IpRange.parse("allowed-peer-ip", "10.0.0.1-10.0.0.9");
        assertThat(v4.isIpv6()).isFalse();
        assertThat(v4.first()).isEqualTo(ip("10.0.0.1"));
        assertThat(v4.last()).isEqualTo(ip("10.0.0.9"));

        IpRange v6 = IpRange.parse("allowed-peer-ip", "::fffe:0:0/95"); // ends in the IPv4-mapped block
        assertThat(v6.isIpv6()).isTrue();
        assertThat(v6.last()).isInstanceOf(Inet6Address.class);
        assertThat(v6.last().getAddress())
                .isEqualTo(ip("mapped16:255.255.255.255").getAddress());
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                              | write one address (203.0.113.5
            '   '                           | write one address (203.0.113.5
            turn.example.com                | host names are not accepted
            localhost                       | host names are not accepted
            10.0.0.256                      | not an IPv4 address
            10.0.0                          | not an IPv4 address
            010.0.0.1                       | no leading zeros
            1.2.3.4.5                       | not an IPv4 address
            1.2.3.4.                        | not an IPv4 address
            '10.0.0.1 10.0.0.2'             | not an IPv4 address
            10.0.0.1,10.0.0.2               | not an IPv4 address
            *                               | not an IPv4 address
            10.0.0.1-                       | not an IPv4 address
            -10.0.0.1                       | not an IPv4 address
            10.0.0.1-10.0.0.2-10.0.0.3      | exactly one '-'
            10.0.0.9-10.0.0.1               | lowest first: 10.0.0.1-10.0.0.9
            2001:db8::9-2001:db8::1         | lowest first: 2001:db8::1-2001:db8::9
            10.0.0.1-2001:db8::1            | both ends of a range must be IPv4, or both IPv6
            2001:db8::1-10.0.0.1            | both ends of a range must be IPv4, or both IPv6
            192.0.2.0/33                    | prefix length is 0 to 32
            2001:db8::/129                  | prefix length is 0 to 128
            192.0.2.1/24                    | write 192.0.2.0/24 for the whole block, or 192.0.2.1 alone
            2001:db8::1/32                  | write 2001:db8::/32 for the whole block
            192.0.2.0/                      | address/prefix-length
            192.0.2.0/-1                    | address/prefix-length
            192.0.2.0/24/8                  | address/prefix-length
            192.0.2.0/1000                  | address/prefix-length
            /24                             | not an IPv4 address
            2001:db8:::1                    | not an IPv6 address
            2001:db8::1::2                  | not an IPv6 address
            1:2:3:4:5:6:7:8:9               | not an IPv6 address
            1:2:3:4:5:6:7                   | not an IPv6 address
            1::2:3:4:5:6:7:8                | not an IPv6 address
            :1::                            | not an IPv6 address
            ::1:                            | not an IPv6 address
            12345::                         | not an IPv6 address
            g::1                            | not an IPv6 address
            1.2.3.4::                       | not an IPv6 address
            ::1.2.3.4:5                     | not an IPv6 address
            ::256.0.0.1                     | not an IPv6 address
            fe80::1%eth0                    | without a zone (%) or brackets
            [2001:db8::1]                   | without a zone (%) or brackets
            """)
    void rejectsWithOptionValueAndFix(String text, String fix) {
        assertThatThrownBy(() -> IpRange.parse("denied-peer-ip", text))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.option()).isEqualTo("denied-peer-ip");
                    assertThat(e.getMessage())
                            .startsWith("invalid denied-peer-ip = ")
                            .contains(text)
                            .contains(fix);
                    if (!fix.startsWith("lowest first") && !fix.startsWith("both ends") && !fix.startsWith("write ")) {
                        assertThat(e.getMessage()).contains("10.0.0.0-10.255.255.255", "192.0.2.0/24", "2001:db8::1");
                    }
                });
    }

    @Test
    void rejectsAMissingValue() {
        assertThatThrownBy(() -> IpRange.parse("allowed-peer-ip", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid allowed-peer-ip = (none)");
    }

    @Test
    void equalRangesWrittenDifferently() {
        IpRange[] same = Arrays.stream(new String[] {
                    "10.0.0.0/8", "10.0.0.0-10.255.255.255", "::ffff:10.0.0.0/104", "::ffff:a00:0-::ffff:aff:ffff"
                })
                .map(t -> IpRange.parse("allowed-peer-ip", t))
                .toArray(IpRange[]::new);
        for (IpRange r : same) {
            assertThat(r).isEqualTo(same[0]).hasSameHashCodeAs(same[0]);
        }
        assertThat(IpRange.parse("allowed-peer-ip", "::a00:0/104")).isNotEqualTo(same[0]);
    }
}
