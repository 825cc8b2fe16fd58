// What one sleep-and-wake costs on this machine: a thread parks for a given time over and over, and prints the wall
// time each park took and the CPU time it used (the thread's own, user and kernel: ThreadMXBean). A poller that backs
// off to 100 µs parks, as Aeron's drivers and dptrain's pollers do while they wait, pays this CPU at every wakeup.
// Run: java scripts/bench/probes/ParkBench.java
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

public class ParkBench {
    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] parks = {1_000, 10_000, 100_000, 1_000_000};
        for (int round = 0; round < 2; round++) { // the first round warms up
            for (long ns : parks) {
                int n = (int) Math.min(20_000, 1_000_000_000L / ns);
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    LockSupport.parkNanos(ns);
                }
                long c1 = mx.getCurrentThreadCpuTime();
                long w1 = System.nanoTime();
                if (round == 1) {
                    System.out.printf("park %,9d ns: %8.1f us wall, %6.2f us CPU per park, %5.1f %% of a core%n", ns,
                            (w1 - w0) / 1e3 / n, (c1 - c0) / 1e3 / n, 100.0 * (c1 - c0) / (w1 - w0));
                }
            }
        }
    }
}
