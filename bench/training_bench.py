"""The PyTorch side of the trainer training-step benchmark (see run-training-bench.sh).

Runs with /usr/bin/python3 and Debian's python3-torch; only torch, the standard library and the
Qwen2 forward of trainer_bench.py (same directory).

  run MODEL_DIR BATCH_JSON [--threads 2] [--warmup 1] [--repeats 5]
      One full focal DPO optimizer step, in plain PyTorch eager, on the pairs of BATCH_JSON (written
      by TrainerTrainingBench: token ids, focal masks, β, α, clipping norm, learning rate): forward of
      the chosen and rejected rows, [rows, length, vocab] logits, log-softmax gathered at the labels,
      focal DPO + α·NLL, backward, torch.nn.utils.clip_grad_norm_, torch.optim.AdamW. The reference
      log-probs are the starting model's, computed once under torch.no_grad() before the first step
      (untimed). Warm-up steps (untimed; the first one's loss and gradient norm are reported for the
      agreement check), then timed steps; prints one JSON object with each timed step's seconds and
      the median time of each phase. With --float64, also the first step's loss and gradient norm
      computed in float64 on a fresh copy of the model (after the timed steps): the exact numbers
      both float32 engines approximate.

  serve MODEL_DIR BATCH_JSON [--threads 2] [--warmup 1]
      What the benchmark uses: the same model, batch, reference and warm-up, then one JSON line (torch
      version, threads, tokens per step, the first step's loss and gradient norm, the reference
      log-probs), then one step per "step" line on stdin, each answered by a JSON line with its seconds,
      loss, gradient norm and phases; "float64" answers the float64 first step; "quit" or end of input ends it. So the
      benchmark alternates single steps of the two engines under the same machine load.

BATCH_JSON: {"beta", "alpha", "max_grad_norm", "lr", "pad_id",
             "pairs": [{"prompt": [...], "chosen": [...], "rejected": [...], "rejected_focal": [0|1, ...]}]}
where chosen and rejected are completion ids with the end token, rejected_focal one flag per rejected
completion id.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trainer_bench import Qwen2  # noqa: E402  (the generation benchmark's model: same forward, same weights)


class TrainableQwen2(Qwen2):
    """trainer_bench.Qwen2 with every weight a leaf that requires grad, and a whole-sequence forward."""

    def __init__(self, directory):
        super().__init__(directory)
        params = [self.embed, self.norm]  # the tied head is self.embed itself: one parameter, two uses
        for layer in self.layers:
            params.extend(layer.values())
        for p in params:
            p.requires_grad_(True)
        self.params = params

    def hidden(self, ids, attention_mask):
        """The final normed hidden states [B, L, hidden] of ids [B, L] at positions 0..L-1."""
        b, n = ids.shape
        causal = torch.ones(n, n, dtype=torch.bool).tril()
        allowed = causal[None, None, :, :] & attention_mask.bool()[:, None, None, :]
        mask = (allowed.float() - 1.0) * 1e9  # 0 where allowed, -1e9 elsewhere (as the DJL decoder)
        h = F.embedding(ids, self.embed)
        cos, sin = self.cos[:n], self.sin[:n]
        for layer in self.layers:
            cache = [None, None]
            h = h + self.attention(self.rms_norm(h, layer["input_layernorm.weight"]), layer, cache, cos, sin, mask)
            h = h + self.mlp(self.rms_norm(h, layer["post_attention_layernorm.weight"]), layer)
        return self.rms_norm(h, self.norm)


class Batch:
    """Rows 0..n-1 the chosen sequences, n..2n-1 the rejected ones (prompt + completion, right-padded).
    Label masks run over positions 1..L-1 (column t is the token at t+1): `counted` the labels each
    row's sequence log-prob sums (chosen: every completion label; rejected: its focal ones), `chosen`
    every chosen completion label (the NLL's)."""

    def __init__(self, spec):
        pairs = spec["pairs"]
        n = len(pairs)
        rows = ([(p["prompt"], p["chosen"], None) for p in pairs]
                + [(p["prompt"], p["rejected"], p["rejected_focal"]) for p in pairs])
        length = max(len(prompt) + len(completion) for prompt, completion, _ in rows)
        ids = torch.full((2 * n, length), int(spec["pad_id"]), dtype=torch.long)
        attention = torch.zeros(2 * n, length, dtype=torch.long)
        counted = torch.zeros(2 * n, length - 1)
        chosen = torch.zeros(2 * n, length - 1)
        for r, (prompt, completion, focal) in enumerate(rows):
            ids[r, :len(prompt) + len(completion)] = torch.tensor(prompt + completion, dtype=torch.long)
            attention[r, :len(prompt) + len(completion)] = 1
            for j in range(len(completion)):
                column = len(prompt) + j - 1
                if focal is None:
                    counted[r, column] = 1
                    chosen[r, column] = 1
                elif focal[j]:
                    counted[r, column] = 1
        self.pairs = n
        self.ids = ids
        self.attention = attention
        self.counted = counted
        self.chosen = chosen
        self.chosen_labels = float(chosen.sum())
        self.tokens = int(attention.sum())


def label_logps(model, batch, phases=None):
    """log p(ids[:, t+1] | ids[:, ..t]) as [rows, L-1] float32."""
    started = time.perf_counter()
    hidden = model.hidden(batch.ids, batch.attention)
    mid = time.perf_counter()
    logits = F.linear(hidden[:, :-1, :], model.head)
    logps = F.log_softmax(logits, dim=-1).gather(-1, batch.ids[:, 1:, None]).squeeze(-1)
    if phases is not None:
        phases["forward"] = mid - started
        phases["head_logps"] = time.perf_counter() - mid
    return logps


def sequence_logps(logps, batch):
    """[π_c, π_r] per pair: each row's log-prob summed over its counted labels."""
    sums = (logps * batch.counted).sum(-1)
    return sums[:batch.pairs], sums[batch.pairs:]


def train_step(model, optimizer, batch, reference, spec, phases):
    """One optimizer step; returns (loss, gradient norm before clipping)."""
    started = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    logps = label_logps(model, batch, phases)
    t = time.perf_counter()
    policy_chosen, policy_rejected = sequence_logps(logps, batch)
    margins = spec["beta"] * ((policy_chosen - reference[0]) - (policy_rejected - reference[1]))
    nll = -(logps * batch.chosen).sum() / batch.chosen_labels
    loss = -F.logsigmoid(margins).mean() + spec["alpha"] * nll
    phases["loss"] = time.perf_counter() - t
    t = time.perf_counter()
    loss.backward()
    phases["backward"] = time.perf_counter() - t
    t = time.perf_counter()
    norm = torch.nn.utils.clip_grad_norm_(model.params, spec["max_grad_norm"])
    phases["clip"] = time.perf_counter() - t
    t = time.perf_counter()
    optimizer.step()
    done = time.perf_counter()
    phases["optimizer"] = done - t
    phases["step"] = done - started
    return float(loss), float(norm)


def float64_first_step(model_dir, batch, spec):
    """The first step's loss and gradient norm (before clipping) with every weight and every product in
    float64 (a fresh model, its own float64 reference log-probs): what both float32 engines approximate."""
    model = TrainableQwen2(model_dir)
    with torch.no_grad():
        for p in model.params:
            p.data = p.data.double()  # in place: the tied head (the same tensor) follows
    model.cos, model.sin = model.cos.double(), model.sin.double()
    with torch.no_grad():
        reference = sequence_logps(label_logps(model, batch), batch)
    logps = label_logps(model, batch)
    policy_chosen, policy_rejected = sequence_logps(logps, batch)
    margins = spec["beta"] * ((policy_chosen - reference[0]) - (policy_rejected - reference[1]))
    loss = -F.logsigmoid(margins).mean() + spec["alpha"] * (-(logps * batch.chosen).sum() / batch.chosen_labels)
    loss.backward()
    norm = torch.norm(torch.stack([p.grad.norm() for p in model.params]))
    return {"loss": float(loss), "grad_norm": float(norm)}


class Trainer:
    """The model, the batch, its reference log-probs (the starting model's, computed once, untimed) and
    the optimizer: what the steps share."""

    def __init__(self, model_dir, batch_json, threads):
        torch.set_num_threads(threads)
        with open(batch_json) as f:
            self.spec = json.load(f)
        self.model_dir = model_dir
        self.model = TrainableQwen2(model_dir)
        self.batch = Batch(self.spec)
        with torch.no_grad():
            reference = sequence_logps(label_logps(self.model, self.batch), self.batch)
        self.reference = (reference[0].detach(), reference[1].detach())
        self.optimizer = torch.optim.AdamW(self.model.params, lr=self.spec["lr"], betas=(0.9, 0.999), eps=1e-8,
                                           weight_decay=0.0)
        self.first = None

    def step(self):
        """One optimizer step: its loss, gradient norm (before clipping) and phases' seconds ("step": the
        whole step)."""
        phases = {}
        loss, norm = train_step(self.model, self.optimizer, self.batch, self.reference, self.spec, phases)
        if self.first is None:
            self.first = {"loss": loss, "grad_norm": norm}
        return loss, norm, phases

    def describe(self):
        return {
            "engine": "pytorch-eager", "torch": torch.__version__, "threads": torch.get_num_threads(),
            "tokens": self.batch.tokens, "first_step": self.first,
            "reference": [[float(c), float(r)] for c, r in zip(self.reference[0], self.reference[1])],
        }

    def float64_first_step(self):
        return float64_first_step(self.model_dir, self.batch, self.spec)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run(model_dir, batch_json, threads, warmup, repeats, float64):
    trainer = Trainer(model_dir, batch_json, threads)
    for _ in range(warmup):
        trainer.step()
    timed = [trainer.step()[2] for _ in range(repeats)]
    out = trainer.describe()
    out["first_step_float64"] = trainer.float64_first_step() if float64 else None
    out["step_seconds"] = [p["step"] for p in timed]
    out["phase_seconds_median"] = {k: statistics.median(p[k] for p in timed) for k in timed[0]} if timed else {}
    emit(out)


def serve(model_dir, batch_json, threads, warmup):
    """Warm-up steps, then one JSON line (describe()) and, for each command line on stdin, one JSON line:
    "step" -> {"seconds", "phases"} of one more step; "float64" -> float64_first_step(); "quit" or
    end of input ends the process. Lets the caller alternate single steps with its own."""
    trainer = Trainer(model_dir, batch_json, threads)
    for _ in range(warmup):
        trainer.step()
    emit(trainer.describe())
    for line in sys.stdin:
        command = line.strip()
        if command == "step":
            loss, norm, phases = trainer.step()
            emit({"seconds": phases["step"], "loss": loss, "grad_norm": norm, "phases": phases})
        elif command == "float64":
            emit(trainer.float64_first_step())
        elif command in ("quit", ""):
            break
        else:
            raise SystemExit("unknown command: %r" % command)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    go = commands.add_parser("run")
    go.add_argument("model_dir")
    go.add_argument("batch_json")
    go.add_argument("--threads", type=int, default=2)
    go.add_argument("--warmup", type=int, default=1)
    go.add_argument("--repeats", type=int, default=5)
    go.add_argument("--float64", action="store_true", help="also the first step in float64 (after the timed steps)")
    srv = commands.add_parser("serve")
    srv.add_argument("model_dir")
    srv.add_argument("batch_json")
    srv.add_argument("--threads", type=int, default=2)
    srv.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    if args.command == "run":
        run(args.model_dir, args.batch_json, args.threads, args.warmup, args.repeats, args.float64)
    else:
        serve(args.model_dir, args.batch_json, args.threads, args.warmup)


if __name__ == "__main__":
    main()
