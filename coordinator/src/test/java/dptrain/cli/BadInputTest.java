package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A wrong flag, value or file gets a message naming it and what was expected, and a non-zero exit. */
class BadInputTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> badFlags() {
        return Stream.of(
                Arguments.of(new String[] {"--bogus"}, "--bogus"),
                Arguments.of(new String[] {"--model", "resnet"},
                        "two-layer, multi-layer, simple-cnn, deep-cnn, lenet, alexnet-small"),
                Arguments.of(new String[] {"--epochs", "many"}, "--epochs"),
                Arguments.of(new String[] {"--epochs", "0"}, "--epochs"),
                Arguments.of(new String[] {"--lr", "-0.1"}, "--lr"),
                Arguments.of(new String[] {"--lr", "NaN"}, "--lr"),
                Arguments.of(new String[] {"--batch-size", "0"}, "--batch-size"),
                Arguments.of(new String[] {"--virtual-shards", "0"}, "--virtual-shards"),
                Arguments.of(new String[] {"--virtual-shards", "101"}, "--virtual-shards"),
                Arguments.of(new String[] {"--threads", "0"}, "--threads"),
                Arguments.of(new String[] {"--optimizer", "lion"}, "sgd, momentum, nesterov, adagrad, rmsprop, adam"),
                Arguments.of(new String[] {"--lr-schedule", "linear"}, "constant, step, exponential, cosine"),
                Arguments.of(new String[] {"--wire-precision", "fp8"}, "--wire-precision"),
                Arguments.of(new String[] {"--wire-precision", "fp8"}, "fp32, bf16, fp16"),
                Arguments.of(new String[] {"--init", "glorot"}, "--init"),
                Arguments.of(new String[] {"--activation", "gelu"}, "relu, sigmoid, tanh"),
                Arguments.of(new String[] {"--hidden", "100,-1"}, "--hidden"),
                Arguments.of(new String[] {"--dropout", "1.0"}, "--dropout"),
                Arguments.of(new String[] {"--validation-fraction", "1.5"}, "--validation-fraction"),
                Arguments.of(new String[] {"--weight-decay", "-1"}, "--weight-decay"),
                Arguments.of(new String[] {"--resume"}, "--run-dir"),
                Arguments.of(new String[] {"--model", "simple-cnn", "--batch-norm"}, "--batch-norm"),
                Arguments.of(new String[] {"--model", "deep-cnn", "--hidden", "10"}, "--hidden"),
                Arguments.of(new String[] {"--model", "two-layer", "--dropout", "0.5"}, "--dropout"),
                Arguments.of(new String[] {"--model", "multi-layer", "--batch-norm", "--virtual-shards", "60"},
                        "batch normalization"));
    }

    @ParameterizedTest
    @MethodSource("badFlags")
    void badFlagIsNamedWithExitCode2(String[] flags, String named) {
        String[] args = Stream.concat(Stream.of("train"), Stream.of(flags)).toArray(String[]::new);
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(named), "expected '" + named + "' in: " + r.err());
    }

    /** Data-plane settings in a --config file are checked before any node starts, naming the setting. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "dptrain.data-plane.mac = hmac-sha1|dptrain.data-plane.mac: 'hmac-sha1' (expected aes-gcm or none)",
        "dptrain.data-plane { term-length = 64k, mtu = 65504 }|term-length / 8 = 8192",
        "dptrain.data-plane.term-length = 100k|dptrain.data-plane.term-length",
        // wrong type: the key, the file and line, what was found and what was expected
        "dptrain.data-plane.mtu = \"abc\"|line 1: dptrain.data-plane.mtu = \"abc\": expected a number (found string)",
        "dptrain.data-plane.term-length = [1, 2]|dptrain.data-plane.term-length = [1,2]: expected a size in bytes",
        // a misspelt key, with the nearest known one
        "dptrain.data-plane.mtoo = 8960|unknown setting dptrain.data-plane.mtoo (did you mean 'dptrain.data-plane.mtu'?)",
        "dptrain.data-plane.mac = none\\ndptrain.dataplane.port = 1|line 2: unknown setting dptrain.dataplane.port",
        // out of range
        "dptrain.data-plane.port = -1|dptrain.data-plane.port: -1 (expected 0..65535)",
        "dptrain.data-plane.mtu = 1500|dptrain.data-plane.mtu: 1500 (expected a multiple of 32",
        "dptrain.data-plane.mac = [a]|dptrain.data-plane.mac = [\"a\"]: expected a string (found list)",
        "dptrain = 5|dptrain = 5: expected an object",
        // a substitution is left to the resolution, which names what is missing
        "dptrain.data-plane.mtu = ${NO_SUCH_DPTRAIN_VARIABLE}|NO_SUCH_DPTRAIN_VARIABLE"})
    void badDataPlaneSettingIsNamed(String setting, String named) throws IOException {
        Path conf = tmp.resolve("bad.conf");
        Files.writeString(conf, setting.replace("\\n", "\n") + "\n");
        Cli.Result r = Cli.run("train", "--data-dir", FetchMnistCommand.ensureMnist(null).toString(), "--run-dir",
                tmp.resolve("run").toString(), "--steps", "1", "--workers", "1", "--config", conf.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(named), "expected '" + named + "' in: " + r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    /** The worker's and the coordinator's own flags: named, with what was expected, exit code 2. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "worker --join nohost|invalid value for --join: 'nohost' (expected HOST:PORT)",
        "worker --join 127.0.0.1:99999|expected HOST:PORT with a port 1..65535",
        "worker --join 127.0.0.1:2552 --port -5|invalid value for --port: -5 (expected 0..65535)",
        "worker --join 127.0.0.1:2552 --data-port 70000|invalid value for --data-port: 70000",
        "worker|--join",
        "coordinator --worker-timeout 0|invalid value for --worker-timeout: 0 (expected seconds >= 1)",
        "coordinator --port 70000|invalid value for --port: 70000 (expected 0..65535)",
        "coordinator --workers 0|invalid value for --workers: 0 (expected 1..1024)"})
    void badWorkerAndCoordinatorFlagsAreNamed(String command, String named) {
        String[] args = command.split(" ");
        if (args[0].equals("coordinator")) {
            args = Cli.concat(args, "--run-dir", tmp.resolve("run").toString());
        }
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.exit(), command + ": " + r.err());
        assertTrue(r.err().contains(named), "expected '" + named + "' in: " + r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(!Files.exists(tmp.resolve("run")), "a run directory was made before the flags were checked");
    }

    /** fetch-mnist's flags go through picocli like every command's; a file in the way is named, exit 1. */
    @Test
    void fetchMnistFlagsAndAFileInTheWay() throws IOException {
        assertEquals(2, Cli.run("fetch-mnist", "--bogus").exit());
        Cli.Result noValue = Cli.run("fetch-mnist", "--data-dir");
        assertEquals(2, noValue.exit());
        assertTrue(noValue.err().contains("--data-dir"), noValue.err());
        assertEquals(0, Cli.run("fetch-mnist", "--help").exit());
        Path odd = Files.write(tmp.resolve("train-images-idx3-ubyte"), new byte[] {1});
        Cli.Result error = Cli.run("fetch-mnist", "--data-dir=" + tmp);
        assertEquals(1, error.exit(), error.err());
        assertTrue(error.err().contains("error: " + odd), error.err());
        assertTrue(!error.err().contains("\tat "), "no stack trace: " + error.err());
    }

    /**
     * The library names a bad setting by its config.json key and the command line reports the flag that set it: every
     * key of a train run's config.json that a flag sets is one of train's flags.
     */
    @Test
    void everySettingTheLibraryNamesIsAFlagOfTrain() {
        java.util.Set<String> flags = new java.util.HashSet<>();
        for (picocli.CommandLine.Model.OptionSpec o : new picocli.CommandLine(new TrainCommand()).getCommandSpec().options()) {
            flags.addAll(java.util.List.of(o.names()));
        }
        TrainCommand tc = new TrainCommand();
        new picocli.CommandLine(tc).parseArgs("--lr-schedule", "step");
        for (String key : tc.config().toMap().keySet()) {
            if (!java.util.Set.of("net", "blas").contains(key)) {
                assertTrue(flags.contains(TrainCommand.flagOf(key)), key + " -> " + TrainCommand.flagOf(key));
            }
        }
        Cli.Result r = Cli.run("train", "--lr-schedule", "exponential", "--lr-gamma", "1.5");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("invalid value for --lr-gamma: 1.5 (expected a factor in (0, 1])"), r.err());
    }

    @Test
    void missingCommandAndUnknownCommand() {
        assertEquals(2, Cli.run().exit());
        Cli.Result r = Cli.run("trian");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("trian"), r.err());
    }

    @Test
    void corruptDataFileIsNamedWithExitCode1() throws IOException {
        Path data = tmp.resolve("mnist");
        Files.createDirectories(data);
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
            Files.write(data.resolve(f), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});
        }
        Cli.Result r = Cli.run("train", "--data-dir", data.toString(), "--run-dir", tmp.resolve("run").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("error:") && r.err().contains(data.toString()), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void evalWithZeroThreadsIsNamed() {
        Cli.Result r = Cli.run("eval", "--checkpoint", tmp.resolve("x.ckpt").toString(), "--threads", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--threads"), r.err());
    }

    @Test
    void evalOfAMissingOrForeignCheckpointIsNamed() throws IOException {
        Cli.Result r = Cli.run("eval", "--checkpoint", tmp.resolve("nope.ckpt").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("nope.ckpt") && r.err().contains("does not exist"), r.err());
        Path junk = tmp.resolve("junk.ckpt");
        Files.writeString(junk, "not a checkpoint");
        r = Cli.run("eval", "--checkpoint", junk.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("not a dptrain checkpoint"), r.err());
    }
}
