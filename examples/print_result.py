"""Prints an execution result (JSON on stdin) the way a person reads it."""
import json
import sys

result = json.load(sys.stdin)
print("verdict %s: %d/%d tests passed in %d ms (backend %s)" % (
    result["verdict"], result["passed"], result["total"], result["wallTimeMs"], result["backend"]))
for test in result["tests"]:
    print("  %-28s %-13s %5s ms" % (test["name"], test["verdict"], test.get("timeMs")))
print("feedback for the model:")
for line in result["feedback"].splitlines():
    print("  | " + line)
