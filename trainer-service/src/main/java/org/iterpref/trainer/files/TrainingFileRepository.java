package org.iterpref.trainer.files;

import java.util.List;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data JPA access to {@code training_files}. */
interface TrainingFileRepository extends JpaRepository<TrainingFileEntity, String> {

    List<TrainingFileEntity> findByPurposeInAndSeqLessThanOrderBySeqDesc(List<String> purposes, long seq, Pageable page);

    List<TrainingFileEntity> findByPurposeInAndSeqGreaterThanOrderBySeqAsc(List<String> purposes, long seq,
                                                                          Pageable page);
}
