package dev.tracepoint.core.internal.elf;

import java.io.IOException;

/** An ELF file that cannot be read or is not a 64-bit little-endian ELF; the message names the file. */
public final class ElfException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file
     */
    public ElfException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file
     * @param cause   the underlying failure
     */
    public ElfException(String message, Throwable cause) {
        super(message, cause);
    }
}
