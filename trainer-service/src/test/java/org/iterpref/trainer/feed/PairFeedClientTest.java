package org.iterpref.trainer.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.dpo.TrainingPair;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The pair-feed client against a real local HTTP server speaking the generator's feed protocol. */
class PairFeedClientTest {

    private static PairFeedClient client(int maxAttempts) {
        FineTuningProperties properties = new FineTuningProperties(null, null, null, null, null,
                new FineTuningProperties.PairFeeds(null, Duration.ofSeconds(2), Duration.ofSeconds(5), maxAttempts,
                        Duration.ofMillis(100), 3, 1000, null));
        return new PairFeedClient(properties, JsonMapper.builder().build());
    }

    private static FeedRequest request(String feed, int limit, boolean synthetic) {
        return new FeedRequest(URI.create(feed), null, null, synthetic, limit, 0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void givenAFeedThatIsDownAtFirst_whenRead_thenItIsRetriedAndEveryPageFollowedToTheEnd() throws Exception {
        int port = freePort();
        PairFeedClient client = client(30);
        List<TrainingPair> taken = new ArrayList<>();
        CompletableFuture<PairFeedClient.Result> reading = CompletableFuture.supplyAsync(() -> client.fetch(
                request("http://127.0.0.1:" + port + "/v1/pairs", 100, false), p -> taken.add(p.pair()), () -> false));
        Thread.sleep(400); // connection refused meanwhile: nothing listens on the port yet

        try (FeedServer server = FeedServer.start(port)) {
            List<FeedServer.Pair> served = FeedServer.pairs(7);
            server.serve(served);
            PairFeedClient.Result result = reading.get();

            assertThat(result.pairs()).isEqualTo(7);
            assertThat(result.skipped()).isZero();
            assertThat(taken).extracting(TrainingPair::chosen)
                    .containsExactlyElementsOf(served.stream().map(FeedServer.Pair::chosen).toList());
            assertThat(taken.get(0).messages()).containsExactly(new TrainingPair.PromptMessage("user", "Task 1: write f."));
            assertThat(taken.get(2).errorSpans()).as("spans given by the feed are kept")
                    .containsExactly(new CharSpan(10, served.get(2).rejected().length()));
            assertThat(taken.get(0).errorSpans()).as("spans absent from the feed are computed")
                    .singleElement().satisfies(span -> assertThat(span.slice(taken.get(0).rejected()))
                            .isEqualTo("    return x - 1\n"));
            assertThat(server.queries()).containsExactly("after=0&limit=3&synthetic=false",
                    "after=3&limit=3&synthetic=false", "after=6&limit=3&synthetic=false",
                    "after=7&limit=3&synthetic=false");
        }
    }

    @Test
    void givenALimit_whenRead_thenNoMoreThanItAreTakenAndSyntheticPairsOnlyWhenAsked() throws Exception {
        try (FeedServer server = FeedServer.start()) {
            List<FeedServer.Pair> served = new ArrayList<>(FeedServer.pairs(6));
            FeedServer.Pair third = served.get(2);
            served.set(2, new FeedServer.Pair(third.id(), third.prompt(), third.chosen(), third.rejected(), null, true));
            server.serve(served);

            List<TrainingPair> five = new ArrayList<>();
            assertThat(client(2).fetch(request(server.feedUrl(), 4, false), p -> five.add(p.pair()), () -> false).pairs()).isEqualTo(4);
            assertThat(five).extracting(TrainingPair::chosen).doesNotContain(third.chosen());

            List<TrainingPair> all = new ArrayList<>();
            client(2).fetch(request(server.feedUrl(), 100, true), p -> all.add(p.pair()), () -> false);
            assertThat(all).hasSize(6).extracting(TrainingPair::chosen).contains(third.chosen());
        }
    }

    @Test
    void givenAFeedAnswering503_whenRead_thenItIsRetriedWithinTheBound() throws Exception {
        try (FeedServer server = FeedServer.start()) {
            server.serve(FeedServer.pairs(2));
            server.failNext(2);
            assertThat(client(3).fetch(request(server.feedUrl(), 10, false), p -> { }, () -> false).pairs()).isEqualTo(2);

            server.failNext(5);
            assertThatThrownBy(() -> client(3).fetch(request(server.feedUrl(), 10, false), p -> { }, () -> false))
                    .isInstanceOf(FeedUnavailableException.class).hasMessageContaining("after 3 attempts")
                    .hasMessageContaining("HTTP 503");
        }
    }

    @Test
    void givenAFeedThatNeverAnswersOrIsNoFeed_whenRead_thenItFailsWithoutEndlessRetries() throws Exception {
        int port = freePort();
        assertThatThrownBy(() -> client(2).fetch(request("http://127.0.0.1:" + port + "/v1/pairs", 10, false),
                p -> { }, () -> false)).isInstanceOf(FeedUnavailableException.class)
                .hasMessageContaining("after 2 attempts");
        try (FeedServer server = FeedServer.start()) {
            assertThatThrownBy(() -> client(5).fetch(request(server.root() + "v1/other", 10, false), p -> { },
                    () -> false)).isInstanceOf(FeedUnavailableException.class).hasMessageContaining("HTTP 404");
        }
    }

    @Test
    void givenPagesCutOffMidBody_whenRead_thenTheyAreRetriedAndNeverTakenAsPages() throws Exception {
        String complete = "{\"pairs\": [], \"next\": 0}";
        // a declared length the body never reaches, and a chunked body without its terminating chunk
        // (what the generator sends when its database fails mid-response), whose bytes so far parse
        List<String> cutOff = List.of(
                "Content-Length: 4096\r\n\r\n{\"pairs\": [{\"prompt\": \"p\"",
                "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(complete.length()) + "\r\n" + complete
                        + "\r\n");
        for (String response : cutOff) {
            try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
                CompletableFuture<Integer> answered = CompletableFuture.supplyAsync(() -> answerAndHangUp(server,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + response));
                assertThatThrownBy(() -> client(2).fetch(request("http://127.0.0.1:" + server.getLocalPort()
                        + "/v1/pairs", 10, false), p -> { }, () -> false))
                        .isInstanceOf(FeedUnavailableException.class).hasMessageContaining("after 2 attempts");
                assertThat(answered.get()).isEqualTo(2);
            }
        }
    }

    /** Answers requests with {@code head} and closes each connection there; returns how many came. */
    private static int answerAndHangUp(ServerSocket server, String head) {
        int answered = 0;
        try {
            server.setSoTimeout(5000);
            while (answered < 2) {
                try (java.net.Socket connection = server.accept()) {
                    byte[] request = new byte[8192];
                    connection.getInputStream().read(request);
                    connection.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    connection.getOutputStream().flush();
                    answered++;
                }
            }
        } catch (IOException e) {
            return answered;
        }
        return answered;
    }

    @Test
    void givenPairsNamingTheirTask_whenRead_thenEachCarriesItsTaskIdAndAnImportedPairNone() throws Exception {
        try (FeedServer server = FeedServer.start()) {
            List<FeedServer.Pair> served = new ArrayList<>();
            for (FeedServer.Pair p : FeedServer.pairs(3)) {
                served.add(new FeedServer.Pair(p.id(), p.prompt(), p.chosen(), p.rejected(), p.errorSpans(), false,
                        p.id() == 2 ? null : "task-" + (p.id() % 2)));
            }
            server.serve(served);
            List<FeedPair> taken = new ArrayList<>();

            client(2).fetch(request(server.feedUrl(), 10, false), taken::add, () -> false);

            assertThat(taken).extracting(FeedPair::taskId).containsExactly("task-1", null, "task-1");
        }
    }
}
