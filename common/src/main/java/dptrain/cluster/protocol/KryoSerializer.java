package dptrain.cluster.protocol;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.JSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Akka serializer for every {@link WireMessage}: Kryo with registration required and the one class list of
 * {@link Registry}, so a message of any other class is refused on both ends (never instantiated from bytes).
 * Actor references travel as their string form through Akka's {@link ActorRefResolver}. Kryo instances are not
 * thread-safe, so they come from a pool.
 */
public final class KryoSerializer extends JSerializer {
    /** Akka's serializer id for this serializer (must be unique among the system's serializers, above 40). */
    public static final int IDENTIFIER = 0x44505431; // "DPT1"
    private static final Logger LOG = LoggerFactory.getLogger(KryoSerializer.class);
    private static final int MAX_MESSAGE_BYTES = 256 * 1024;

    private final Pool<Kryo> pool;

    /** Constructed by Akka with the actor system (needed to resolve actor references). */
    public KryoSerializer(ExtendedActorSystem system) {
        ActorRefResolver resolver = ActorRefResolver.get(Adapter.toTyped(system));
        this.pool = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                return newKryo(resolver);
            }
        };
    }

    /** A Kryo that knows exactly the registry's classes (and actor references through the resolver). */
    static Kryo newKryo(ActorRefResolver resolver) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        int id = Registry.FIRST_ID;
        for (Class<?> c : Registry.CLASSES) {
            kryo.register(c, id++);
        }
        kryo.register(actorRefClass(), new ActorRefSerializer(resolver), Registry.FIRST_ID - 1);
        return kryo;
    }

    private static Class<?> actorRefClass() {
        try {
            // The class behind every typed ActorRef of a running system (local or remote).
            return Class.forName("akka.actor.typed.internal.adapter.ActorRefAdapter");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this Akka version has no ActorRefAdapter; the Kryo registry needs updating", e);
        }
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object o) {
        Kryo kryo = pool.obtain();
        try (Output out = new Output(256, MAX_MESSAGE_BYTES)) {
            kryo.writeClassAndObject(out, o);
            return out.toBytes();
        } catch (KryoException e) {
            throw new IllegalArgumentException("cannot serialize " + o.getClass().getName() + " (every wire message "
                    + "class must be listed in dptrain.cluster.protocol.Registry): " + e.getMessage(), e);
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = pool.obtain();
        try (Input in = new Input(bytes)) {
            Object o = kryo.readClassAndObject(in);
            if (!(o instanceof WireMessage)) {
                throw new IllegalArgumentException("refused a message of class "
                        + (o == null ? "null" : o.getClass().getName()) + ": not a wire message");
            }
            return o;
        } catch (KryoException e) {
            LOG.warn("refused an incoming message of {} bytes: {}", bytes.length, e.getMessage());
            throw new IllegalArgumentException("refused an incoming message (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        } finally {
            pool.free(kryo);
        }
    }

    /** Writes an actor reference as its serialization string and resolves it on reading. */
    private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        private final ActorRefResolver resolver;

        ActorRefSerializer(ActorRefResolver resolver) {
            this.resolver = resolver;
        }

        @Override
        public void write(Kryo kryo, Output output, ActorRef<?> ref) {
            output.writeString(resolver.toSerializationFormat(ref));
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
            return resolver.resolveActorRef(input.readString());
        }
    }
}
