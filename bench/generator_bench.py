"""Drives the generator benchmark (see run-generator-bench.sh) and prints its numbers."""
import datetime
import json
import sys
import time
import urllib.request

base, tasks_file, samples, workers, cores = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def call(path, body=None, content_type="application/json"):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


report = call("/v1/tasks/import?format=jsonl&set=bench", open(tasks_file, "rb").read(), "application/x-ndjson")
print("[bench] %d tasks imported, %d valid" % (report["imported"], report["valid"]))
run = call("/v1/generation-runs", {"taskSet": "bench", "source": {"type": "bug-injection"}, "maxIterations": 5,
                                   "samplesPerTask": samples, "seed": 1})
started = time.monotonic()
while run["status"] not in ("COMPLETED", "CANCELLED"):
    time.sleep(0.2)
    run = call("/v1/generation-runs/" + run["id"])


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


# the server's own clock: from the run's creation to the moment its last trajectory ended
wall_ms = (instant(run["finishedAt"]) - instant(run["createdAt"])).total_seconds() * 1000
c, t = run["counts"], run["timings"]
busy_ms = max(1, t["workerMs"])
executor_share = t["executionMs"] / busy_ms
source_share = t["generationMs"] / busy_ms
overhead = max(0.0, 1 - executor_share - source_share)
utilisation = busy_ms / (wall_ms * workers)
print()
print("Generator benchmark: bug-injection run, %d tasks x %d samples" % (report["valid"], samples))
print("-" * 64)
print("%-34s %d (generator workers %d, cores %s)" % ("trajectories", c["total"], workers, cores))
print("%-34s %d passed, %d failed, %d errored" % ("outcome", c["passed"], c["failed"], c["errored"]))
print("%-34s %d" % ("iterations stored", run["iterations"]))
print("%-34s %.1f s" % ("wall time", wall_ms / 1000))
print("%-34s %.0f" % ("trajectories/min", c["total"] / wall_ms * 60000))
print("%-34s %.1f%%" % ("workers busy (of workers x wall)", 100 * utilisation))
print("%-34s %.1f%%" % ("busy time in the executor", 100 * executor_share))
print("%-34s %.1f%%" % ("busy time in the source", 100 * source_share))
print("%-34s %.1f%%  (target <= 10%%: %s)" % ("orchestration overhead", 100 * overhead,
                                             "met" if overhead <= 0.10 else "missed"))
print("(the source's time is mutant checking in the executor too: bug injection runs each candidate's tests)")
