package org.iterpref.trainer.finetune;

import java.util.List;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Spring Data JPA access to {@code fine_tuning_jobs} (reads and creation). */
interface FineTuningJobRepository extends JpaRepository<FineTuningJobEntity, String> {

    List<FineTuningJobEntity> findBySeqLessThanOrderBySeqDesc(long seq, Pageable page);

    @Query("select count(j) > 0 from FineTuningJobEntity j where (j.trainingFile = :file or j.validationFile = :file)"
            + " and j.status not in ('succeeded', 'failed', 'cancelled')")
    boolean unfinishedJobUses(@Param("file") String fileId);
}
