// Counts, in each checkpoint given, the subnormal and the zero values of every optimizer state buffer (Adam: the
// first and second moments). This is how the count of Adam's subnormal first moment in docs/benchmarks-history.md
// (session 7) can be re-run: a run at a revision before the fix (2ae2c09) with --steps S leaves the state of step S in
// its checkpoint.
// Run: java -cp "coordinator/target/dptrain-coordinator.jar:coordinator/target/lib/*" \
//          scripts/bench/probes/SubnormalCount.java RUN_DIR/checkpoints/latest.ckpt ...
import dptrain.train.Checkpoint;
import java.nio.file.Path;

public class SubnormalCount {
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: SubnormalCount CHECKPOINT ...");
            System.exit(2);
        }
        for (String a : args) {
            Checkpoint c = Checkpoint.read(Path.of(a));
            StringBuilder line = new StringBuilder(a + ": step " + c.step());
            for (int b = 0; b < c.optimizerState().size(); b++) {
                int subnormal = 0;
                int zero = 0;
                for (float v : c.optimizerState().get(b)) {
                    if (v == 0f) {
                        zero++;
                    } else if (Math.abs(v) < Float.MIN_NORMAL) {
                        subnormal++;
                    }
                }
                line.append(String.format(java.util.Locale.ROOT, "; buffer %d: %d subnormal, %d zero of %d", b,
                        subnormal, zero, c.optimizerState().get(b).length));
            }
            System.out.println(line);
        }
    }
}
