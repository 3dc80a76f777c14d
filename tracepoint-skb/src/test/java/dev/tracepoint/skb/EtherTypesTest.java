package dev.tracepoint.skb;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtherTypesTest {

    @Test
    void names() {
        assertThat(EtherTypes.name(0x0800)).isEqualTo("IPv4");
        assertThat(EtherTypes.name(0x86DD)).isEqualTo("IPv6");
        assertThat(EtherTypes.name(0x0806)).isEqualTo("ARP");
        assertThat(EtherTypes.name(0x8100)).isEqualTo("802.1Q");
        assertThat(EtherTypes.name(0x88A8)).isEqualTo("802.1ad");
        assertThat(EtherTypes.name(0x8847)).isEqualTo("MPLS");
        assertThat(EtherTypes.name(0x0003)).isEqualTo("ALL");
        assertThat(EtherTypes.name(0x1234)).isNull();
        assertThat(EtherTypes.name(0)).isNull();
    }

    @Test
    void unknownAreHex() {
        assertThat(EtherTypes.format(0x1234)).isEqualTo("0x1234");
        assertThat(EtherTypes.format(0)).isEqualTo("0x0000");
        assertThat(EtherTypes.format(0x88b6)).isEqualTo("0x88b6");
        assertThat(EtherTypes.append(new StringBuilder(), 0x0800).toString()).isEqualTo("IPv4");
    }

    @Test
    void parse() {
        assertThat(EtherTypes.parse("ipv4")).isEqualTo(0x0800);
        assertThat(EtherTypes.parse("IP")).isEqualTo(0x0800);
        assertThat(EtherTypes.parse("IPv6")).isEqualTo(0x86DD);
        assertThat(EtherTypes.parse("arp")).isEqualTo(0x0806);
        assertThat(EtherTypes.parse("vlan")).isEqualTo(0x8100);
        assertThat(EtherTypes.parse("802.1q")).isEqualTo(0x8100);
        assertThat(EtherTypes.parse("ETH_P_8021AD")).isEqualTo(0x88A8);
        assertThat(EtherTypes.parse("0x88cc")).isEqualTo(0x88CC);
        assertThat(EtherTypes.parse("2048")).isEqualTo(0x0800);
        assertThatThrownBy(() -> EtherTypes.parse("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> EtherTypes.parse("0x10000")).isInstanceOf(IllegalArgumentException.class);
    }
}
