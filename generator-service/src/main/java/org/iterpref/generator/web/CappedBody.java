package org.iterpref.generator.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Another service's answer read up to {@code maxBytes}: past that the transfer is cancelled and the
 * body fails with {@link TooLarge}, so no server the generator calls (the executor behind the relay,
 * a model server at an allow-listed URL, which is a caller's choice) can make it hold an answer of
 * any size.
 */
public final class CappedBody {

    private CappedBody() {
    }

    /** The body as bytes. */
    public static HttpResponse.BodyHandler<byte[]> bytes(long maxBytes) {
        return info -> new Subscriber(maxBytes);
    }

    /** The body as UTF-8 text. */
    public static HttpResponse.BodyHandler<String> text(long maxBytes) {
        return info -> HttpResponse.BodySubscribers.mapping(new Subscriber(maxBytes),
                bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** The body passed the cap. Not a connection failure: asking again would get the same answer. */
    public static final class TooLarge extends IOException {

        TooLarge(long maxBytes) {
            super("the answer is larger than " + maxBytes + " bytes");
        }
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {

        private final long maxBytes;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Subscriber(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + (long) buffer.remaining() > maxBytes) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLarge(maxBytes));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}
