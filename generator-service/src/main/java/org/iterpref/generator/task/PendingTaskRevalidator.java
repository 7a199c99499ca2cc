package org.iterpref.generator.task;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Validates again, in the background, the tasks left PENDING because the executor could not be
 * reached when they were imported: once it is back they become VALID or INVALID without anyone
 * asking ({@code POST /v1/tasks/{id}/revalidate} still does one at once). While it is still away
 * they stay PENDING, with the reason, until the next round.
 */
@Component
public class PendingTaskRevalidator {

    private static final Logger log = LoggerFactory.getLogger(PendingTaskRevalidator.class);

    private final TaskRepository tasks;
    private final TaskValidator validator;
    private final int batch;

    public PendingTaskRevalidator(TaskRepository tasks, TaskValidator validator,
                                  @Value("${iterpref.generator.pending-tasks.batch:500}") int batch) {
        this.tasks = tasks;
        this.validator = validator;
        this.batch = Math.max(1, batch);
    }

    /** One round: the oldest pending tasks, up to the batch size. */
    @Scheduled(initialDelayString = "${iterpref.generator.pending-tasks.revalidate-every-ms:30000}",
            fixedDelayString = "${iterpref.generator.pending-tasks.revalidate-every-ms:30000}")
    public void revalidate() {
        List<Task> pending = tasks.findPending(batch);
        if (pending.isEmpty()) {
            return;
        }
        List<Task> checked = validator.validate(pending);
        long stillPending = checked.stream().filter(t -> t.status() == TaskStatus.PENDING).count();
        log.info("revalidated {} pending task(s): {} still pending", checked.size(), stillPending);
    }
}
