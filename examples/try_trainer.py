"""Calls the trainer-service's OpenAI-compatible API: lists the models, streams a chat completion
(Server-Sent Events) and asks for a completion's log-probs with their top alternatives.

Usage: try_trainer.py BASE_URL [MODEL]   (the trainer, or the gateway: then env ITERPREF_API_KEY is
sent as a bearer token, as an OpenAI SDK would send its key)
"""
import json
import os
import sys
import time
import urllib.request

base = sys.argv[1]


def request(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if os.environ.get("ITERPREF_API_KEY"):
        headers["Authorization"] = "Bearer " + os.environ["ITERPREF_API_KEY"]
    return urllib.request.Request(base + path, data=data, headers=headers)


with urllib.request.urlopen(request("/v1/models"), timeout=60) as response:
    models = json.load(response)["data"]
print("models: " + ", ".join("%s (context %d)" % (m["id"], m["context_length"]) for m in models))
model = sys.argv[2] if len(sys.argv) > 2 else models[0]["id"]

chat = {"model": model, "stream": True, "max_tokens": 24, "temperature": 0,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "Write add(a, b) in Python."}]}
started = time.monotonic()
chunks, text, usage = 0, [], None
with urllib.request.urlopen(request("/v1/chat/completions", chat), timeout=120) as response:
    for raw in response:
        line = raw.decode("utf-8").rstrip("\n")
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[len("data: "):])
        chunks += 1
        usage = chunk.get("usage") or usage
        for choice in chunk["choices"]:
            text.append(choice["delta"].get("content") or "")
elapsed = time.monotonic() - started
print("streamed chat completion: %d events in %.2f s, %s completion tokens (%.0f tokens/s); text %r" % (
    chunks, elapsed, usage["completion_tokens"], usage["completion_tokens"] / elapsed, "".join(text)[:60]))

completion = {"model": model, "prompt": "def add(a, b):", "max_tokens": 4, "temperature": 0, "logprobs": 2}
with urllib.request.urlopen(request("/v1/completions", completion), timeout=60) as response:
    logprobs = json.load(response)["choices"][0]["logprobs"]
for token, value, top in zip(logprobs["tokens"], logprobs["token_logprobs"], logprobs["top_logprobs"]):
    print("  token %-10r log-prob %7.3f  top: %s" % (token, value,
                                                     ", ".join("%r %.3f" % kv for kv in top.items())))
