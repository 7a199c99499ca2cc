package org.iterpref.generator.task;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Spring Data JPA access to {@code tasks}. */
interface TaskJpaRepository extends JpaRepository<TaskEntity, UUID> {

    List<TaskEntity> findByTaskSet(String taskSet, Pageable page);

    List<TaskEntity> findByTaskSetAndStatusOrderByCreatedAtAscIdAsc(String taskSet, TaskStatus status);

    long countByTaskSet(String taskSet);

    List<TaskEntity> findByStatus(TaskStatus status, Pageable page);

    boolean existsByTaskSetAndExternalId(String taskSet, String externalId);

    @Modifying
    @Query("update TaskEntity t set t.status = :status, t.statusReason = :reason where t.id = :id")
    int updateStatus(@Param("id") UUID id, @Param("status") TaskStatus status, @Param("reason") String reason);
}
