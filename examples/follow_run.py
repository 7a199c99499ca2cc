"""Starts a generation run over a task set, follows it to the end, prints a summary.

Usage: follow_run.py GENERATOR_URL TASK_SET [RUN_JSON]
RUN_JSON overrides fields of the run request; the default is the offline bug-injection source
(synthetic), up to 5 iterations, seed 42.
"""
import json
import sys
import time
import urllib.request

base, task_set = sys.argv[1], sys.argv[2]
overrides = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


request = {"taskSet": task_set, "source": {"type": "bug-injection"}, "maxIterations": 5, "samplesPerTask": 1,
           "seed": 42}
request.update(overrides)
run = call("/v1/generation-runs", request)
print("run %s: %d trajectories, source %s (synthetic: %s)" % (run["id"], run["counts"]["total"],
                                                             request["source"]["type"], run["synthetic"]))
started = time.monotonic()
while run["status"] not in ("COMPLETED", "CANCELLED"):
    time.sleep(1)
    run = call("/v1/generation-runs/" + run["id"])
    c = run["counts"]
    print("  %5.1f s  queued %d  running %d  passed %d  failed %d  errored %d  (%d iterations)" % (
        time.monotonic() - started, c["queued"], c["running"], c["passed"], c["failed"], c["errored"],
        run["iterations"]))
elapsed = time.monotonic() - started
c = run["counts"]
print("run %s %s in %.1f s: %d passed, %d failed, %d errored; %.0f trajectories/min" % (
    run["id"], run["status"], elapsed, c["passed"], c["failed"], c["errored"], c["total"] / elapsed * 60))
listing = call("/v1/trajectories?run=%s&size=1" % run["id"])
if listing["trajectories"]:
    trajectory = call("/v1/trajectories/" + listing["trajectories"][0]["id"])
    print("\nexample trajectory %s (%s, synthetic: %s):" % (trajectory["id"], trajectory["status"],
                                                         trajectory["synthetic"]))
    for it in trajectory["iterations"]:
        print("  iteration %d: %s (%d/%d tests)%s - %s" % (
            it["number"], it["verdict"], it["passed"], it["total"],
            " [prompt trimmed to the model's context]" if it.get("trimmed") else "", it["prompt"].splitlines()[0][:100]))
    if trajectory.get("error"):
        print("  error: " + trajectory["error"][:300])

stats = call("/v1/pairs/stats?run=" + run["id"])
print("\npreference pairs of the run: %d (%d new, %d already stored by an earlier run: a re-run with the same"
      " seed makes the same pairs, and its feed serves them all the same), filtered %s; region %s-%s lines"
      " (median %.0f)" % (stats["kept"] + stats["alreadyStored"], stats["kept"], stats["alreadyStored"],
                          stats["filtered"] or "none", stats["regionLines"]["min"], stats["regionLines"]["max"],
                          stats["regionLines"]["p50"]))
feed = call("/v1/pairs?run=%s&limit=1" % run["id"])
if feed["pairs"]:
    pair = feed["pairs"][0]
    rejected = pair["rejected"]
    print("example pair %d (rejected iteration %d -> chosen iteration %d%s), error region:" % (
        pair["id"], pair["rejectedIteration"], pair["chosenIteration"],
        ", already stored by an earlier run" if pair["alreadyStored"] else ""))
    for start, end in pair["errorSpans"]:
        for line in rejected[start:end].splitlines():
            print("  - " + line)
print("export them all: curl '%s/v1/pairs/export?format=trl&run=%s'" % (base, run["id"]))
