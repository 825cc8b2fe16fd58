package dptrain.worker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import dptrain.tensor.WirePrecision;
import dptrain.cluster.protocol.CoordinatorProtocol;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.cluster.protocol.WorkerProtocol.Command;
import dptrain.cluster.protocol.WorkerProtocol.JobDone;
import dptrain.cluster.protocol.WorkerProtocol.JobOffer;
import dptrain.cluster.transport.DataPlane;
import dptrain.data.Dataset;
import dptrain.data.MnistFetcher;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.tensor.Blas;
import dptrain.train.TrainingSet;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The worker actor: registers with the Receptionist, accepts a coordinator's job after checking that it holds the
 * same data and BLAS, and starts its {@link GradientEngine}, which takes shard assignments and parameters off the
 * data plane and computes on a thread of its own. One job at a time; a new offer replaces the old job (a restarted
 * coordinator).
 */
public final class Worker {
    /**
     * What a worker node provides: where MNIST is, its data plane (asked for at a job's start, so a node that only
     * runs trials need not start one), how to reach it, and how it runs a search's trials (null: this node takes no
     * search work).
     */
    public record Env(Path dataDir, Supplier<DataPlane> dataPlane, String host, int dataPort,
                      Runnable onJobDone, TrialRunner trials) {
        /** A node for training jobs only. */
        public Env(Path dataDir, Supplier<DataPlane> dataPlane, String host, int dataPort, Runnable onJobDone) {
            this(dataDir, dataPlane, host, dataPort, onJobDone, null);
        }
    }

    /** Local notice from the engine thread: a shard failed. */
    private record EngineFailed(long jobId, long step, String reason) implements Command {}

    private final ActorContext<Command> ctx;
    private final Env env;
    private long jobId = -1;
    private int workerId;
    private ActorRef<CoordinatorProtocol.Command> coordinator;
    private GradientEngine engine;
    private Thread thread;
    private Subscription paramsIn;
    private Publication gradsOut;

    private Worker(ActorContext<Command> ctx, Env env) {
        this.ctx = ctx;
        this.env = env;
    }

    /** The worker behavior. */
    public static Behavior<Command> create(Env env) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, ctx.getSelf()));
            if (env.trials() != null) {
                ctx.spawn(TrialWorker.create(env.trials(), env.onJobDone(), env.host()), "trials");
            }
            return new Worker(ctx, env).behavior();
        });
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(JobOffer.class, this::onOffer)
                .onMessage(JobDone.class, this::onDone)
                .onMessage(EngineFailed.class, this::onEngineFailed)
                .onSignal(akka.actor.typed.PostStop.class, s -> {
                    release();
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onOffer(JobOffer o) {
        release();
        try {
            Path dir = MnistFetcher.ensure(env.dataDir(), msg -> ctx.getLog().info(msg));
            Dataset train = TrainingSet.split(TrainingSet.mnist(dir), o.trainSamples(), o.validationFraction(),
                    o.seed()).train();
            String fp = train.fingerprint();
            if (!fp.equals(o.datasetFingerprint())) {
                return refuse(o, "this worker's training set (" + dir + ") has fingerprint " + fp
                        + ", the coordinator's has " + o.datasetFingerprint() + ": different MNIST files or settings");
            }
            if (!Blas.identity().equals(o.blas())) {
                return refuse(o, "this worker computes with BLAS " + Blas.identity() + ", the job with " + o.blas()
                        + ": results would differ in the last bits (start the worker with the same -Ddptrain.blas "
                        + "on the same CPU model, or set OPENBLAS_CORETYPE to one value on every node)");
            }
            WirePrecision wire = WirePrecision.parse(o.wirePrecision());
            if (wire == null) {
                return refuse(o, "the job's wire precision '" + o.wirePrecision() + "' is not one this worker knows "
                        + "(fp32, bf16, fp16): start workers of the coordinator's dptrain version");
            }
            Model model = new Model(NetSpec.parse(o.netSpec()));
            DataPlane dp = env.dataPlane().get();
            // A client of the coordinator's own media driver (this JVM's, or the host's shared one) talks over IPC.
            boolean ipc = dp.driverId().equals(o.driverId());
            if (!ipc && o.gradChannel().startsWith("aeron:ipc")) {
                return refuse(o, "the job's data plane is IPC only (its workers run in the coordinator's JVM or on "
                        + "its host's media driver), and this worker is not a client of that driver");
            }
            String endpoint;
            if (ipc) {
                paramsIn = dp.subscription(dp.ipcChannel(), DataPlane.ipcParamsStream(o.gradStream(), o.workerId()));
                endpoint = DataPlane.IPC_ENDPOINT;
            } else {
                paramsIn = dp.subscription(dp.udpChannel(env.host(), env.dataPort()), DataPlane.PARAMS_STREAM);
                endpoint = env.host() + ":" + dp.boundPort(paramsIn, env.host(), env.dataPort());
            }
            gradsOut = dp.publication(ipc ? dp.ipcChannel() : o.gradChannel(), o.gradStream());
            jobId = o.jobId();
            workerId = o.workerId();
            coordinator = o.coordinator();
            ActorRef<Command> self = ctx.getSelf();
            long job = o.jobId();
            engine = new GradientEngine(o.jobId(), o.workerId(), model, train, o.batchSize(), o.shards(), o.seed(),
                    wire, o.secret(), paramsIn, gradsOut, dp.settings().chunkBytes(),
                    (step, why) -> self.tell(new EngineFailed(job, step, why)));
            thread = new Thread(engine, "dptrain-worker-" + o.workerId() + "-compute");
            thread.setDaemon(true);
            thread.start();
            ctx.getLog().info("worker {} joined job {} ({} parameters, data plane {})", workerId, jobId,
                    model.paramCount(), endpoint);
            coordinator.tell(new CoordinatorProtocol.WorkerReady(jobId, workerId, ctx.getSelf(), endpoint,
                    ipc ? DataPlane.ipcParamsStream(o.gradStream(), workerId) : DataPlane.PARAMS_STREAM, env.host(),
                    ProcessHandle.current().pid(), Blas.identity()));
        } catch (RuntimeException e) {
            release();
            return refuse(o, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return Behaviors.same();
    }

    private Behavior<Command> refuse(JobOffer o, String reason) {
        ctx.getLog().error("refusing job {}: {}", o.jobId(), reason);
        o.coordinator().tell(new CoordinatorProtocol.WorkerRefused(o.jobId(), o.workerId(), ctx.getSelf(), reason));
        return Behaviors.same();
    }

    private Behavior<Command> onDone(JobDone d) {
        if (d.jobId() == jobId) {
            ctx.getLog().info("job {} ended ({}); worker {} computed {} shards; dropped data-plane messages: {}", jobId,
                    d.status(), workerId, engine == null ? 0 : engine.shardsDone(), engine == null ? "{}" : engine.drops());
            release();
            if (!WorkerProtocol.TRIAL_DONE.equals(d.status())) {
                env.onJobDone().run();
            }
        }
        return Behaviors.same();
    }

    private Behavior<Command> onEngineFailed(EngineFailed f) {
        if (f.jobId() == jobId && coordinator != null) {
            ctx.getLog().error("shard computation failed at step {}: {}", f.step() + 1, f.reason());
            coordinator.tell(new CoordinatorProtocol.WorkerFailed(jobId, workerId, f.step(), f.reason()));
        }
        return Behaviors.same();
    }

    private void release() {
        if (engine != null) {
            engine.stop();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            engine = null;
            thread = null;
        }
        if (paramsIn != null) {
            paramsIn.close();
            paramsIn = null;
        }
        if (gradsOut != null) {
            gradsOut.close();
            gradsOut = null;
        }
        jobId = -1;
    }
}
