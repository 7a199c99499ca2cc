package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.dpo.TrainingJob;
import org.iterpref.trainer.dpo.TrainingPair;
import org.iterpref.trainer.feed.FeedServer;
import org.iterpref.trainer.storage.PairFiles;
import org.iterpref.trainer.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Jobs created with {@code pairs}: the feed is read while the job is {@code validating_files},
 * the pairs taken are stored with the job before it is queued, and a seeded share is held out.
 */
class PairFeedJobApiTest extends FineTuningContext {

    @Autowired
    Storage storage;

    @Autowired
    PairFiles pairFiles;

    private List<FeedServer.Pair> serveSevenWithOneSynthetic() {
        List<FeedServer.Pair> served = new ArrayList<>(FeedServer.pairs(7));
        FeedServer.Pair fifth = served.get(4);
        served.set(4, new FeedServer.Pair(fifth.id(), fifth.prompt(), fifth.chosen(), fifth.rejected(), null, true));
        Feed.SERVER.serve(served);
        return served;
    }

    @Test
    void givenAPairFeed_whenAJobReadsIt_thenExactlyTheServedPairsAreStoredSplitAndTrained() throws Exception {
        List<FeedServer.Pair> served = serveSevenWithOneSynthetic();

        String id = create(Map.of("model", "tiny-qwen2", "seed", 11, "method", dpo("batch_size", 2, "n_epochs", 1),
                "pairs", Map.of("feed", Feed.SERVER.feedUrl(), "validation_split", 0.3)));

        JsonNode job = awaitStatus(id, "succeeded");
        assertThat(job.at("/pairs/training_pairs").asInt()).isEqualTo(4);
        assertThat(job.at("/pairs/validation_pairs").asInt()).isEqualTo(2);
        assertThat(job.get("pairs").has("validation_tasks")).isTrue();
        assertThat(job.at("/pairs/validation_tasks").isNull()).as("the feed's pairs name no task").isTrue();
        assertThat(Feed.SERVER.queries()).allMatch(q -> q.contains("synthetic=false"))
                .first().asString().startsWith("after=0&limit=3");
        TrainingJob run = engine.runsOf(id).get(0);
        Set<String> taken = new HashSet<>();
        run.training().forEach(p -> taken.add(p.chosen()));
        run.validation().forEach(p -> taken.add(p.chosen()));
        Set<String> expected = new HashSet<>();
        served.stream().filter(p -> !p.synthetic()).forEach(p -> expected.add(p.chosen()));
        assertThat(taken).isEqualTo(expected);
        assertThat(run.training()).hasSize(4);
        assertThat(run.validation()).hasSize(2);
        TrainingPair third = java.util.stream.Stream.concat(run.training().stream(), run.validation().stream())
                .filter(p -> p.chosen().equals(served.get(2).chosen())).findFirst().orElseThrow();
        assertThat(third.errorSpans()).containsExactly(new CharSpan(10, served.get(2).rejected().length()));

        List<TrainingPair> stored = new ArrayList<>(pairFiles.read(storage.jobDir(id).resolve("training.jsonl")));
        stored.addAll(pairFiles.read(storage.jobDir(id).resolve("validation.jsonl")));
        assertThat(stored).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                run.training().stream(), run.validation().stream()).toList());
        assertThat(events(id)).extracting(e -> e.get("message").asString())
                .anyMatch(m -> m.startsWith("Read 6 pairs from the pair feed in 3 pages (0 skipped): 4 for training, "
                        + "2 held out for validation"));

        String again = create(Map.of("model", "tiny-qwen2", "seed", 11, "method", dpo("batch_size", 2, "n_epochs", 1),
                "pairs", Map.of("feed", Feed.SERVER.feedUrl(), "validation_split", 0.3)));
        awaitStatus(again, "succeeded");
        assertThat(engine.runsOf(again).get(0).validation()).as("the same seed holds out the same pairs")
                .isEqualTo(run.validation());
    }

    @Test
    void givenSyntheticPairsAllowedAndALimit_whenAJobReadsTheFeed_thenItTakesThatMany() throws Exception {
        serveSevenWithOneSynthetic();

        String id = create(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", Feed.SERVER.feedUrl(),
                "include_synthetic", true, "limit", 5)));

        awaitStatus(id, "succeeded");
        assertThat(engine.runsOf(id).get(0).training()).hasSize(5);
        assertThat(Feed.SERVER.queries()).noneMatch(q -> q.contains("synthetic="));
    }

    @Test
    void givenAFeedThatFails_whenAJobReadsIt_thenTheJobFailsNamingTheFeed() throws Exception {
        String broken = create(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", Feed.SERVER.root() + "v1/missing")));
        JsonNode job = awaitStatus(broken, "failed");
        assertThat(job.at("/error/code").asString()).isEqualTo("pair_feed_unavailable");
        assertThat(job.at("/error/param").asString()).isEqualTo("pairs.feed");
        assertThat(job.at("/error/message").asString()).contains("HTTP 404");

        Feed.SERVER.serve(List.of());
        String empty = create(Map.of("model", "tiny-qwen2", "pairs", Map.of("feed", Feed.SERVER.feedUrl())));
        JsonNode emptyJob = awaitStatus(empty, "failed");
        assertThat(emptyJob.at("/error/message").asString()).contains("no usable preference pair");
        assertThat(engine.runsOf(empty)).isEmpty();
    }

    @Test
    void givenNoFeedInTheRequest_whenAJobIsCreated_thenItReadsTheConfiguredDefaultFeed() throws Exception {
        Feed.SERVER.serve(FeedServer.pairs(3));

        String id = create(Map.of("model", "tiny-qwen2", "method", dpo("batch_size", 1, "n_epochs", 1),
                "pairs", Map.of("include_synthetic", false)));

        JsonNode job = awaitStatus(id, "succeeded");
        assertThat(job.at("/pairs/feed").asString()).isEqualTo(Feed.SERVER.feedUrl());
        assertThat(job.at("/pairs/training_pairs").asInt()).isEqualTo(3);
        assertThat(Feed.SERVER.queries()).isNotEmpty();
        assertThat(engine.runsOf(id).get(0).training()).hasSize(3);
    }

    @Test
    void givenSeveralPairsPerTask_whenAJobHoldsOutAShare_thenWholeTasksAreHeldOutAndCounted() throws Exception {
        List<FeedServer.Pair> served = new ArrayList<>();
        for (FeedServer.Pair p : FeedServer.pairs(12)) {
            served.add(new FeedServer.Pair(p.id(), p.prompt(), p.chosen(), p.rejected(), p.errorSpans(), false,
                    "task-" + (p.id() % 4)));
        }
        Feed.SERVER.serve(served);

        String id = create(Map.of("model", "tiny-qwen2", "seed", 5, "method", dpo("batch_size", 2, "n_epochs", 1),
                "pairs", Map.of("feed", Feed.SERVER.feedUrl(), "validation_split", 0.2)));

        JsonNode job = awaitStatus(id, "succeeded");
        Set<String> trainingTasks = new HashSet<>();
        pairFiles.forEachWithTask(storage.jobDir(id).resolve("training.jsonl"), (p, task) -> trainingTasks.add(task));
        Set<String> validationTasks = new HashSet<>();
        pairFiles.forEachWithTask(storage.jobDir(id).resolve("validation.jsonl"), (p, task) -> validationTasks.add(task));
        assertThat(validationTasks).hasSize(1).doesNotContainAnyElementsOf(trainingTasks);
        assertThat(trainingTasks).hasSize(3).doesNotContainNull();
        assertThat(job.at("/pairs/validation_tasks").asInt()).isEqualTo(1);
        assertThat(events(id)).extracting(e -> e.get("message").asString())
                .anyMatch(m -> m.endsWith("9 for training, 3 held out for validation, tasks held out whole: 1"));
        assertThat(job.at("/pairs/validation_pairs").asInt()).isEqualTo(3);
        assertThat(job.at("/pairs/training_pairs").asInt()).isEqualTo(9);
        assertThat(engine.runsOf(id).get(0).validation()).hasSize(3)
                .allMatch(p -> served.stream().anyMatch(s -> s.chosen().equals(p.chosen())
                        && validationTasks.contains(s.taskId())));
    }
}
