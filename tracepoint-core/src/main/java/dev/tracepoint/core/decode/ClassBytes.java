package dev.tracepoint.core.decode;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal class-file writer for the straight-line accessor classes of {@link EventBinding}: a constant pool,
 * a constructor and methods without branches (so no stack map frames are needed). The JDK's
 * {@code java.lang.classfile} API is final only from JDK 24; this keeps JDK 22 supported.
 */
final class ClassBytes {

    static final int ALOAD_0 = 0x2a;
    static final int ALOAD_1 = 0x2b;
    static final int ALOAD_2 = 0x2c;
    static final int ALOAD_3 = 0x2d;
    static final int ILOAD_1 = 0x1b;
    static final int ICONST_0 = 0x03;
    static final int ICONST_1 = 0x04;
    static final int LDC_W = 0x13;
    static final int INVOKEVIRTUAL = 0xb6;
    static final int INVOKESPECIAL = 0xb7;
    static final int IRETURN = 0xac;
    static final int LRETURN = 0xad;
    static final int ARETURN = 0xb0;
    static final int RETURN = 0xb1;
    static final int ATHROW = 0xbf;

    private final ByteArrayOutputStream poolBytes = new ByteArrayOutputStream();
    private final DataOutputStream pool = new DataOutputStream(poolBytes);
    private final Map<String, Integer> entries = new HashMap<>();
    private int poolCount = 1;
    private final List<byte[]> methods = new ArrayList<>();
    private final int thisClass;
    private final int superClass;
    private final int[] interfaces;
    private final int codeName;

    ClassBytes(String internalName, String superInternalName, String... interfaceInternalNames) {
        thisClass = classRef(internalName);
        superClass = classRef(superInternalName);
        interfaces = new int[interfaceInternalNames.length];
        for (int i = 0; i < interfaces.length; i++) {
            interfaces[i] = classRef(interfaceInternalNames[i]);
        }
        codeName = utf8("Code");
    }

    private int entry(String key, int slots, IoWriter writer) {
        Integer existing = entries.get(key);
        if (existing != null) {
            return existing;
        }
        try {
            writer.write(pool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int index = poolCount;
        poolCount += slots;
        entries.put(key, index);
        return index;
    }

    int utf8(String s) {
        return entry("U" + s, 1, out -> {
            out.writeByte(1);
            out.writeUTF(s);
        });
    }

    int classRef(String internalName) {
        int name = utf8(internalName);
        return entry("C" + internalName, 1, out -> {
            out.writeByte(7);
            out.writeShort(name);
        });
    }

    int integer(int v) {
        return entry("I" + v, 1, out -> {
            out.writeByte(3);
            out.writeInt(v);
        });
    }

    int string(String s) {
        int u = utf8(s);
        return entry("S" + s, 1, out -> {
            out.writeByte(8);
            out.writeShort(u);
        });
    }

    int methodRef(String owner, String name, String descriptor) {
        int c = classRef(owner);
        int n = utf8(name);
        int d = utf8(descriptor);
        int nt = entry("N" + name + ":" + descriptor, 1, out -> {
            out.writeByte(12);
            out.writeShort(n);
            out.writeShort(d);
        });
        return entry("M" + owner + "." + name + descriptor, 1, out -> {
            out.writeByte(10);
            out.writeShort(c);
            out.writeShort(nt);
        });
    }

    /** Straight-line code of one method. */
    final class Code {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Code op(int opcode) {
            bytes.write(opcode);
            return this;
        }

        Code ldcInt(int v) {
            return u2op(LDC_W, integer(v));
        }

        Code ldcString(String s) {
            return u2op(LDC_W, string(s));
        }

        Code invoke(int opcode, String owner, String name, String descriptor) {
            return u2op(opcode, methodRef(owner, name, descriptor));
        }

        private Code u2op(int opcode, int index) {
            bytes.write(opcode);
            bytes.write(index >>> 8);
            bytes.write(index);
            return this;
        }
    }

    Code code() {
        return new Code();
    }

    void method(int access, String name, String descriptor, int maxStack, int maxLocals, Code code) {
        int n = utf8(name);
        int d = utf8(descriptor);
        byte[] c = code.bytes.toByteArray();
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(m);
        try {
            out.writeShort(access);
            out.writeShort(n);
            out.writeShort(d);
            out.writeShort(1);              // attributes: Code
            out.writeShort(codeName);
            out.writeInt(12 + c.length);    // max_stack, max_locals, code_length, code, exception_table_length, attributes_count
            out.writeShort(maxStack);
            out.writeShort(maxLocals);
            out.writeInt(c.length);
            out.write(c);
            out.writeShort(0);
            out.writeShort(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        methods.add(m.toByteArray());
    }

    byte[] toByteArray() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        try {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(61);             // Java 17 class file: no frames needed for straight-line code
            out.writeShort(poolCount);
            out.write(poolBytes.toByteArray());
            out.writeShort(0x0010 | 0x0020 | 0x1000); // ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC
            out.writeShort(thisClass);
            out.writeShort(superClass);
            out.writeShort(interfaces.length);
            for (int i : interfaces) {
                out.writeShort(i);
            }
            out.writeShort(0);              // fields
            out.writeShort(methods.size());
            for (byte[] m : methods) {
                out.write(m);
            }
            out.writeShort(0);              // attributes
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    @FunctionalInterface
    private interface IoWriter {
        void write(DataOutputStream out) throws IOException;
    }
}
