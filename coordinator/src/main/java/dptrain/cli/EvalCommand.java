package dptrain.cli;

import dptrain.data.Mnist;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.train.Checkpoint;
import dptrain.train.Evaluator;
import dptrain.util.Hashes;
import dptrain.util.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scores a checkpoint on the MNIST test set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Scores a checkpoint on the MNIST test set and prints the result as JSON.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "A checkpoint file, or a run directory (its checkpoints/latest.ckpt).")
    Path checkpoint;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST directory (default: $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist); fetched if missing.")
    String dataDir;

    @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("invalid value for --threads: " + threads + " (expected an integer from 1 to 256)");
        }
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve("checkpoints/latest.ckpt") : checkpoint;
        Checkpoint c = Checkpoint.read(file);
        Object net = c.identity().get("net");
        if (!(net instanceof String spec)) {
            throw new IllegalArgumentException(file + " does not name its network (no 'net' in its header)");
        }
        Model model = new Model(NetSpec.parse(spec));
        Path dir = FetchMnistCommand.ensureMnist(dataDir);
        Mnist mnist = Mnist.load(dir, true, true);
        try (Evaluator eval = new Evaluator(model, threads)) {
            Evaluator.Score s = eval.score(c.params(), c.state(), mnist.test(), 0);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("checkpoint", file.toAbsolutePath().toString());
            out.put("model", c.identity().get("model"));
            out.put("step", c.step());
            out.put("test_accuracy", s.accuracy());
            out.put("test_loss", s.loss());
            out.put("test_samples", s.samples());
            out.put("params_sha256", Hashes.sha256(c.params()));
            System.out.println(JsonCodec.write(out));
        }
        return 0;
    }
}
