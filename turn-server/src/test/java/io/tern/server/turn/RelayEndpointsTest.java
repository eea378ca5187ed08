package io.tern.server.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.config.ConfigException;
import io.tern.server.config.TurnConfig;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** coturn's relay-ip / external-ip rules: which address relays bind to and which one is told. */
class RelayEndpointsTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static TurnConfig config(List<InetAddress> relays, List<String> external) {
        return TurnConfig.defaults().withRelays(relays, external);
    }

    @Test
    void advertisesThePublicAddressOfAPrivateRelayIp() throws Exception {
        List<RelayEndpoint> endpoints = RelayEndpoints.resolve(
                config(List.of(ip("10.0.0.7"), ip("10.0.0.8")), List.of("203.0.113.7/10.0.0.7")), List.of());
        assertThat(endpoints).hasSize(2);
        assertThat(endpoints.get(0).bindAddress()).isEqualTo(ip("10.0.0.7"));
        assertThat(endpoints.get(0).advertisedAddress()).isEqualTo(ip("203.0.113.7"));
        assertThat(endpoints.get(1).advertisedAddress())
                .as("no mapping: itself")
                .isEqualTo(ip("10.0.0.8"));
    }

    @Test
    void aBarePublicAddressAppliesToEveryRelayIpOfItsFamily() throws Exception {
        List<RelayEndpoint> endpoints = RelayEndpoints.resolve(
                config(List.of(ip("10.0.0.7"), ip("fd00::7")), List.of("203.0.113.7")), List.of());
        assertThat(endpoints.get(0).advertisedAddress()).isEqualTo(ip("203.0.113.7"));
        assertThat(endpoints.get(1).advertisedAddress()).isEqualTo(ip("fd00::7"));
    }

    @Test
    void relaysOnTheSpecificListeningIpsWhenNoRelayIpIsGiven() throws Exception {
        List<RelayEndpoint> endpoints =
                RelayEndpoints.resolve(config(List.of(), List.of()), List.of(ip("127.0.0.1"), ip("::1")));
        assertThat(endpoints).extracting(RelayEndpoint::bindAddress).containsExactly(ip("127.0.0.1"), ip("::1"));
        assertThat(endpoints.get(0).ports().capacity()).isEqualTo(65535 - 49152 + 1);
    }

    @Test
    void refusesAPrivatePartThatIsNotARelayIp() throws Exception {
        assertThatThrownBy(() -> RelayEndpoints.resolve(
                        config(List.of(ip("10.0.0.7")), List.of("203.0.113.7/10.0.0.9")), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("external-ip")
                .hasMessageContaining("10.0.0.7");
        assertThatThrownBy(() -> RelayEndpoints.resolve(config(List.of(), List.of("turn.example.org")), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("literal");
    }
}
