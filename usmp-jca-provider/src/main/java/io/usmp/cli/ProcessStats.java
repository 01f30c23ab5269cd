package io.usmp.cli;

import io.usmp.UsmpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

/**
 * {@code gateway --stats}: a load driver in another JVM writes a line on the gateway's standard
 * input and reads one back: {@code STATS} gives {@code STATS cpu_ns=… alloc_bytes=… sessions=…
 * messages_in=… handshakes=…} (CPU of the whole process: I/O threads, delivery, JIT and GC alike;
 * bytes allocated, summed over the live threads); {@code HEAP} runs two full GCs and gives
 * {@code HEAP used=…}.
 */
final class ProcessStats {
    private ProcessStats() {
    }

    static void answerOnStdin(UsmpServer server, PrintStream out) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("STATS") || line.equals("HEAP")) {
                        String s = line.equals("HEAP") ? heap() : line(server);
                        synchronized (out) {
                            out.println(s);
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // the driver went away
            }
        }, "usmp-gateway-stats");
        t.setDaemon(true);
        t.start();
    }

    static String heap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        System.gc();
        return "HEAP used=" + memory.getHeapMemoryUsage().getUsed();
    }

    static String line(UsmpServer server) {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long alloc = 0;
        if (threads instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
            for (long a : sun.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                if (a > 0) {
                    alloc += a;
                }
            }
        }
        var st = server.statistics();
        return "STATS cpu_ns=" + cpu + " alloc_bytes=" + alloc + " sessions=" + st.sessionsOpen()
                + " messages_in=" + st.messagesReceived() + " handshakes=" + st.handshakesSucceeded();
    }
}
