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
    void translatesAarch64sOperandForms() {
        assertThat(UsdtArgs.aarch64("8@x0")).isEqualTo("%x0:u64");
        assertThat(UsdtArgs.aarch64("-4@w1")).isEqualTo("%x1:s32");
        assertThat(UsdtArgs.aarch64("-8@x30")).isEqualTo("%x30:s64");
        assertThat(UsdtArgs.aarch64("8@[sp, 16]")).isEqualTo("+16(%sp):u64");
        assertThat(UsdtArgs.aarch64("-8@[x29, -8]")).isEqualTo("-8(%x29):s64");
        assertThat(UsdtArgs.aarch64("4@[x2]")).isEqualTo("+0(%x2):u32");
        assertThat(UsdtArgs.aarch64("4@5")).isEqualTo("\\5:u32");
        assertThat(UsdtArgs.aarch64("-4@-3")).isEqualTo("\\-3:s32");
        assertThat(UsdtArgs.aarch64("8@sp")).isEqualTo("%sp:u64");
        assertThatThrownBy(() -> UsdtArgs.aarch64("8@x31")).hasMessageContaining("unknown aarch64 register x31");
        assertThatThrownBy(() -> UsdtArgs.aarch64("8@[x1, x2]")).hasMessageContaining("unsupported aarch64 operand '[x1, x2]'");
        assertThatThrownBy(() -> UsdtArgs.aarch64("x0")).hasMessageContaining("is not [-]size@operand");
    }

    @Test
    void rejectsWhatItCannotTranslate() {
        assertThatThrownBy(() -> UsdtArgs.x86("1@%ah")).hasMessageContaining("%ah is bits 8-15 of %ax");
        assertThatThrownBy(() -> UsdtArgs.x86("%rax")).hasMessageContaining("is not [-]size@operand");
        assertThatThrownBy(() -> UsdtArgs.x86("8@%xmm0")).hasMessageContaining("unknown x86_64 register %xmm0");
        assertThatThrownBy(() -> UsdtArgs.x86("8@8(%rax,%rbx,2)")).hasMessageContaining("unsupported operand");
    }
}
