package io.jnatsd.server;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;

/**
 * Undoes an inherited "ignore" of a signal, so that the JVM will install a handler for it.
 *
 * <p>A process started with SIGINT ignored (what {@code cmd &} does in a non-interactive shell;
 * {@code nohup} does it for SIGHUP) keeps it ignored across exec, and HotSpot refuses to handle a
 * shutdown signal (HUP, INT, TERM) that it found ignored: the server would never stop on it. Go
 * installs its handler for a signal the program asks for whatever it inherited, so upstream stops.
 * Here the C library's {@code signal(sig, SIG_DFL)} is called through the foreign function API,
 * found by reflection so that the code compiles for Java 21 (where that API is a preview) and
 * works from Java 22; on a JVM without it the signal stays ignored and the caller says so.
 */
final class IgnoredSignals {
    private IgnoredSignals() {}

    /** Sets {@code signo}'s disposition back to the default; false when that is not possible here. */
    static boolean resetToDefault(int signo) {
        try {
            Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
            Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerType.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
            Optional<?> symbol = (Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                    .getMethod("find", String.class).invoke(lookup, "signal");
            if (symbol.isEmpty()) return false;
            Object cInt = valueLayout.getField("JAVA_INT").get(null);
            Object cPointer = valueLayout.getField("ADDRESS").get(null);
            Object[] args = (Object[]) Array.newInstance(layoutType, 2);
            args[0] = cInt;
            args[1] = cPointer;
            Object descriptor = descriptorType.getMethod("of", layoutType, args.getClass()).invoke(null, cPointer, args);
            MethodHandle signal = (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType,
                    Array.newInstance(optionType, 0).getClass())
                    .invoke(linker, symbol.get(), descriptor, Array.newInstance(optionType, 0));
            Object sigDfl = segmentType.getField("NULL").get(null);
            signal.invokeWithArguments(signo, sigDfl);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
