package dev.tracepoint.core.internal.probe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** x86_64 USDT argument specifications (as libjvm.so's notes write them) to uprobe fetch arguments. */
class UsdtArgsTest {

    @Test
    void translatesEachOperandForm() {
        assertThat(UsdtArgs.x86("8@%r13")).isEqualTo("%r13:u64");
        assertThat(UsdtArgs.x86("-4@%r14d")).isEqualTo("%r14:s32");
        assertThat(UsdtArgs.x86("-8@-64(%rbp)")).isEqualTo("-64(%bp):s64");
        assertThat(UsdtArgs.x86("8@152(%rdi)")).isEqualTo("+152(%di):u64");
        assertThat(UsdtArgs.x86("8@(%rax)")).isEqualTo("+0(%ax):u64");
        assertThat(UsdtArgs.x86("1@$1")).isEqualTo("\\1:u8");
        assertThat(UsdtArgs.x86("-4@$-3")).isEqualTo("\\-3:s32");
        assertThat(UsdtArgs.x86("1@%dil")).isEqualTo("%di:u8");
        assertThat(UsdtArgs.x86("1@%cl")).isEqualTo("%cx:u8");
        assertThat(UsdtArgs.x86("-4@%eax")).isEqualTo("%ax:s32");
        assertThat(UsdtArgs.x86("2@%r9w")).isEqualTo("%r9:u16");
    }

    @Test
    void rejectsWhatItCannotTranslate() {
        assertThatThrownBy(() -> UsdtArgs.x86("%rax")).hasMessageContaining("is not [-]size@operand");
        assertThatThrownBy(() -> UsdtArgs.x86("8@%xmm0")).hasMessageContaining("unknown x86_64 register %xmm0");
        assertThatThrownBy(() -> UsdtArgs.x86("8@8(%rax,%rbx,2)")).hasMessageContaining("unsupported operand");
    }
}
