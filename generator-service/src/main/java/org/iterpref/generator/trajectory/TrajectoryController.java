package org.iterpref.generator.trajectory;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.generator.web.NotFoundException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/trajectories", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Trajectories", description = "Iterative-debugging trajectories and their iterations")
class TrajectoryController {

    static final int MAX_PAGE = 500;

    private final TrajectoryRepository trajectories;

    TrajectoryController(TrajectoryRepository trajectories) {
        this.trajectories = trajectories;
    }

    /** One page of trajectories (without their iterations). */
    record TrajectoryPage(int page, int size, List<Trajectory> trajectories) {
    }

    @GetMapping("/{id}")
    @Operation(summary = "A trajectory with every iteration in order")
    Trajectory get(@PathVariable UUID id) {
        Trajectory t = trajectories.find(id).orElseThrow(() -> new NotFoundException("no trajectory " + id));
        return t.withIterations(trajectories.iterations(id));
    }

    @GetMapping
    @Operation(summary = "Trajectories, filtered by run and status")
    TrajectoryPage list(@RequestParam(required = false) UUID run, @RequestParam(required = false) String status,
                        @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "100") int size) {
        TrajectoryStatus parsed = null;
        if (status != null) {
            try {
                parsed = TrajectoryStatus.valueOf(status.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw InvalidRequestException.of("status", "unknown status '" + status + "'; one of "
                        + java.util.Arrays.toString(TrajectoryStatus.values()));
            }
        }
        if (page < 0 || size < 1 || size > MAX_PAGE) {
            throw InvalidRequestException.of(page < 0 ? "page" : "size",
                    page < 0 ? "must be >= 0" : "must be between 1 and " + MAX_PAGE);
        }
        return new TrajectoryPage(page, size, trajectories.list(run, parsed, page * size, size));
    }
}
