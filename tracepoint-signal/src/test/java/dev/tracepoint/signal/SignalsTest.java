package dev.tracepoint.signal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SignalsTest {

    @Test
    void namesFollowTheGenericLinuxNumbering() {
        assumeTrue(Signals.namesKnown(), "generic numbering only");
        assertThat(Signals.name(1)).isEqualTo("SIGHUP");
        assertThat(Signals.name(6)).isEqualTo("SIGABRT");
        assertThat(Signals.name(7)).isEqualTo("SIGBUS");
        assertThat(Signals.name(9)).isEqualTo("SIGKILL");
        assertThat(Signals.name(10)).isEqualTo("SIGUSR1");
        assertThat(Signals.name(12)).isEqualTo("SIGUSR2");
        assertThat(Signals.name(15)).isEqualTo("SIGTERM");
        assertThat(Signals.name(16)).isEqualTo("SIGSTKFLT");
        assertThat(Signals.name(17)).isEqualTo("SIGCHLD");
        assertThat(Signals.name(19)).isEqualTo("SIGSTOP");
        assertThat(Signals.name(29)).isEqualTo("SIGIO");
        assertThat(Signals.name(31)).isEqualTo("SIGSYS");
    }

    @Test
    void realtimeSignalsAreNamedInKernelNumbering() {
        assumeTrue(Signals.namesKnown(), "generic numbering only");
        assertThat(Signals.name(32)).isEqualTo("SIGRTMIN");
        assertThat(Signals.name(34)).isEqualTo("SIGRTMIN+2");
        assertThat(Signals.name(64)).isEqualTo("SIGRTMIN+32");
        assertThat(Signals.number("RTMIN")).isEqualTo(32);
        assertThat(Signals.number("SIGRTMIN+2")).isEqualTo(34);
        assertThat(Signals.number("rtmax")).isEqualTo(64);
        assertThat(Signals.number("RTMAX-1")).isEqualTo(63);
    }

    @Test
    void valuesOutsideTheTablesAreNumbers() {
        assertThat(Signals.name(0)).isEqualTo("0");
        assertThat(Signals.name(65)).isEqualTo("65");
        assertThat(Signals.name(-3)).isEqualTo("-3");
        assertThat(Signals.name(100_000)).isEqualTo("100000");
    }

    @Test
    void parsesNamesAliasesAndNumbers() {
        assumeTrue(Signals.namesKnown(), "generic numbering only");
        assertThat(Signals.number("KILL")).isEqualTo(9);
        assertThat(Signals.number("SIGKILL")).isEqualTo(9);
        assertThat(Signals.number(" sigterm ")).isEqualTo(15);
        assertThat(Signals.number("9")).isEqualTo(9);
        assertThat(Signals.number("IOT")).isEqualTo(6);
        assertThat(Signals.number("CLD")).isEqualTo(17);
        assertThat(Signals.number("POLL")).isEqualTo(29);
        assertThat(Signals.number("IO")).isEqualTo(29);
        for (int s = 1; s <= Signals.SIGRTMAX; s++) {
            assertThat(Signals.number(Signals.name(s))).as("round trip of %d", s).isEqualTo(s);
        }
    }

    @Test
    void rejectsWhatIsNoSignal() {
        assertThatThrownBy(() -> Signals.number("FOO")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FOO");
        assertThatThrownBy(() -> Signals.number("0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Signals.number("65")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Signals.number("RTMIN+40")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Signals.number("RTMIN-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Signals.number("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesSiCodes() {
        assumeTrue(Signals.namesKnown(), "generic numbering only");
        assertThat(Signals.codeName(9, 0)).isEqualTo("SI_USER");
        assertThat(Signals.codeName(9, 0x80)).isEqualTo("SI_KERNEL");
        assertThat(Signals.codeName(34, -1)).isEqualTo("SI_QUEUE");
        assertThat(Signals.codeName(34, -2)).isEqualTo("SI_TIMER");
        assertThat(Signals.codeName(34, -3)).isEqualTo("SI_MESGQ");
        assertThat(Signals.codeName(34, -4)).isEqualTo("SI_ASYNCIO");
        assertThat(Signals.codeName(29, -5)).isEqualTo("SI_SIGIO");
        assertThat(Signals.codeName(10, -6)).isEqualTo("SI_TKILL");
        assertThat(Signals.codeName(9, -7)).isEqualTo("SI_DETHREAD");
        assertThat(Signals.codeName(34, -60)).isEqualTo("SI_ASYNCNL");
        assertThat(Signals.codeName(17, 1)).isEqualTo("CLD_EXITED");
        assertThat(Signals.codeName(17, 2)).isEqualTo("CLD_KILLED");
        assertThat(Signals.codeName(17, 6)).isEqualTo("CLD_CONTINUED");
        assertThat(Signals.codeName(11, 1)).isEqualTo("SEGV_MAPERR");
        assertThat(Signals.codeName(11, 2)).isEqualTo("SEGV_ACCERR");
        assertThat(Signals.codeName(7, 2)).isEqualTo("BUS_ADRERR");
        assertThat(Signals.codeName(4, 1)).isEqualTo("ILL_ILLOPC");
        assertThat(Signals.codeName(8, 1)).isEqualTo("FPE_INTDIV");
        assertThat(Signals.codeName(5, 1)).isEqualTo("TRAP_BRKPT");
        assertThat(Signals.codeName(29, 1)).isEqualTo("POLL_IN");
        assertThat(Signals.codeName(31, 1)).isEqualTo("SYS_SECCOMP");
        // positive codes mean nothing for signals without their own table
        assertThat(Signals.codeName(10, 3)).isEqualTo("3");
        assertThat(Signals.codeName(17, 99)).isEqualTo("99");
        assertThat(Signals.codeName(34, -99)).isEqualTo("-99");
    }

    @Test
    void namesResults() {
        assertThat(Signals.resultName(Signals.DELIVERED)).isEqualTo("DELIVERED");
        assertThat(Signals.resultName(Signals.IGNORED)).isEqualTo("IGNORED");
        assertThat(Signals.resultName(Signals.ALREADY_PENDING)).isEqualTo("ALREADY_PENDING");
        assertThat(Signals.resultName(Signals.OVERFLOW_FAIL)).isEqualTo("OVERFLOW_FAIL");
        assertThat(Signals.resultName(Signals.LOSE_INFO)).isEqualTo("LOSE_INFO");
        assertThat(Signals.resultName(5)).isEqualTo("5");
        assertThat(Signals.result("ignored")).isEqualTo(1);
        assertThat(Signals.result("4")).isEqualTo(4);
        assertThatThrownBy(() -> Signals.result("LOST")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lookupsReturnConstantsSoTheHotPathDoesNotAllocate() {
        assertThat(Signals.name(9)).isSameAs(Signals.name(9));
        assertThat(Signals.name(40)).isSameAs(Signals.name(40));
        assertThat(Signals.codeName(17, 1)).isSameAs(Signals.codeName(17, 1));
        assertThat(Signals.codeName(10, 3)).isSameAs(Signals.codeName(10, 3));
        assertThat(Signals.resultName(2)).isSameAs(Signals.resultName(2));
    }

    @Test
    void knowsWhichArchitecturesShareTheNumbering() {
        assertThat(Signals.isGenericArch("amd64")).isTrue();
        assertThat(Signals.isGenericArch("x86_64")).isTrue();
        assertThat(Signals.isGenericArch("aarch64")).isTrue();
        assertThat(Signals.isGenericArch("riscv64")).isTrue();
        assertThat(Signals.isGenericArch("mips64el")).isFalse();
        assertThat(Signals.isGenericArch("sparcv9")).isFalse();
        assertThat(Signals.isGenericArch("alpha")).isFalse();
    }

    @Test
    void handlerNames() {
        assertThat(Signals.handlerName(0)).isEqualTo("SIG_DFL");
        assertThat(Signals.handlerName(1)).isEqualTo("SIG_IGN");
        assertThat(Signals.handlerName(0x401000)).isNull();
    }
}
