"""Prints a task import report (JSON on stdin)."""
import json
import sys

report = json.load(sys.stdin)
print("%d lines: %d imported (%d valid, %d invalid, %d pending)" % (
    report["lines"], report["imported"], report["valid"], report["invalid"], report["pending"]))
already = [e for e in report["errors"] if "already exists" in e["message"]]
if already:
    print("%d tasks were already stored from an earlier run" % len(already))
for error in report["errors"]:
    if "already exists" not in error["message"]:
        print("  line %d: %s" % (error["line"], error["message"]))
