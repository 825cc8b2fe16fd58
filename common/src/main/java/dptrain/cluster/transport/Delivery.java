package dptrain.cluster.transport;

import io.aeron.Publication;

/**
 * Sends one {@link OutgoingMessage} to one publication chunk by chunk without blocking: {@link #advance()} offers
 * what the publication takes now and says whether all is sent. Back-pressure is a return value, so one thread can
 * feed several peers and poll its subscriptions in between.
 */
public final class Delivery {
    private Publication publication;
    private OutgoingMessage message;
    private int next;
    private long lastResult;
    private long startNanos;

    /** Starts sending message to publication from its first chunk. */
    public Delivery start(Publication publication, OutgoingMessage message) {
        this.publication = publication;
        this.message = message;
        this.next = 0;
        this.lastResult = 0;
        this.startNanos = System.nanoTime();
        return this;
    }

    /** Offers the remaining chunks until the publication pushes back; true when every chunk is sent. */
    public boolean advance() {
        if (message == null) {
            return true;
        }
        while (next < message.chunks()) {
            long r = message.offer(publication, next);
            lastResult = r;
            if (r > 0) {
                next++;
            } else if (retryable(r)) {
                return false;
            } else {
                throw new IllegalStateException("data-plane publication " + publication.channel() + " stream "
                        + publication.streamId() + " failed: " + status(r));
            }
        }
        message = null;
        return true;
    }

    /** When the current message was started (System.nanoTime). */
    public long startNanos() {
        return startNanos;
    }

    /** Whether nothing is left to send. */
    public boolean done() {
        return message == null;
    }

    /** Why the last offer did not go through, for messages. */
    public String lastStatus() {
        return status(lastResult);
    }

    /** Whether an offer's negative result means "try again later" (back-pressure, admin action, no peer yet). */
    public static boolean retryable(long r) {
        return r == Publication.BACK_PRESSURED || r == Publication.ADMIN_ACTION || r == Publication.NOT_CONNECTED;
    }

    /** An offer's result in words, for messages. */
    public static String status(long r) {
        if (r == Publication.NOT_CONNECTED) {
            return "not connected (is the peer's data plane listening?)";
        } else if (r == Publication.BACK_PRESSURED) {
            return "back-pressured";
        } else if (r == Publication.ADMIN_ACTION) {
            return "admin action";
        } else if (r == Publication.CLOSED) {
            return "closed";
        } else if (r == Publication.MAX_POSITION_EXCEEDED) {
            return "max position exceeded";
        }
        return r > 0 ? "ok" : "status " + r;
    }
}
