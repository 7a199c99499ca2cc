package org.iterpref.trainer.finetune;

import io.swagger.v3.oas.annotations.media.Schema;

/** Why a job failed, in OpenAI's shape: {@code {"code", "message", "param"}}. */
@Schema(name = "FineTuningJobError")
public record JobError(String code, String message, String param) {

    static final int MAX_MESSAGE = 2000;

    public JobError {
        message = message == null ? "" : message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…"
                : message;
    }
}
