"""Fine-tunes the trainer's tiny model with focal DPO on the generator's pairs of a task set, through
the OpenAI-compatible fine-tuning API, follows the job's events as they happen (Server-Sent Events),
prints its metrics and checkpoints, and chats with the fine-tuned model.

Usage: fine_tune.py TRAINER_URL GENERATOR_URL TASK_SET
"""
import json
import sys
import urllib.request

trainer, generator, task_set = sys.argv[1], sys.argv[2], sys.argv[3]


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(trainer + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


job = call("/v1/fine_tuning/jobs", {
    "model": "tiny-qwen2", "suffix": "examples", "seed": 42,
    "pairs": {"feed": generator + "/v1/pairs", "set": task_set, "include_synthetic": True, "validation_split": 0.1},
    "method": {"type": "dpo", "dpo": {"hyperparameters": {
        "n_epochs": 2, "batch_size": 8, "learning_rate": 1e-3, "beta": 0.1, "nll_alpha": 1.0}}}})
print("job %s: %s, focal DPO on the pairs of set '%s' (synthetic bug-injection pairs included)"
      % (job["id"], job["status"], task_set))

with urllib.request.urlopen(trainer + "/v1/fine_tuning/jobs/%s/events?stream=true" % job["id"], timeout=600) as events:
    for raw in events:
        line = raw.decode().strip()
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        event = json.loads(payload)
        if event.get("type") != "metrics":
            print("  [%s] %s" % (event["level"], event["message"]))

job = call("/v1/fine_tuning/jobs/" + job["id"])
print("status %s, %s training / %s validation pairs, %s tokens trained, fine-tuned model %s" % (
    job["status"], job["pairs"]["training_pairs"], job["pairs"]["validation_pairs"], job["trained_tokens"],
    job["fine_tuned_model"]))
if job["status"] != "succeeded":
    sys.exit("the job did not succeed: %s" % job["error"])

rows = call("/v1/fine_tuning/jobs/%s/metrics" % job["id"])["data"]
print("%5s %8s %8s %10s %9s %9s %10s" % ("step", "loss", "nll", "margin", "accuracy", "grad", "tokens/s"))
for row in rows:
    if "loss" in row:
        print("%5d %8.4f %8.4f %10.4f %9.2f %9.3f %10.0f" % (row["step"], row["loss"], row["nll_loss"],
              row["rewards/margins"], row["rewards/accuracies"], row["grad_norm"], row["tokens_per_second"]))
    else:
        print("  eval at step %d: loss %.4f, reward margin %.4f, accuracy %.2f" % (
            row["step"], row["eval_loss"], row["eval_rewards/margins"], row["eval_rewards/accuracies"]))

checkpoints = call("/v1/fine_tuning/jobs/%s/checkpoints" % job["id"])["data"]
print("checkpoints: " + ", ".join(c["fine_tuned_model_checkpoint"] for c in checkpoints))
reply = call("/v1/chat/completions", {"model": job["fine_tuned_model"], "max_tokens": 24, "temperature": 0,
                                      "messages": [{"role": "user", "content": "Write add(a, b)."}]})
print("%s answers (a 2-layer test model: noise): %r" % (reply["model"], reply["choices"][0]["message"]["content"]))
