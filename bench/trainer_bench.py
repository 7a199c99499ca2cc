"""The PyTorch side of the trainer generation benchmark (see run-trainer-bench.sh).

Runs with /usr/bin/python3 and Debian's python3-torch; only torch and the standard library.

  make-model DIR [--seed S]
      Writes a deterministic random Qwen2 model in Hugging Face layout: config.json and a
      hand-written model.safetensors (float32), sized as the benchmark needs it: hidden 256,
      intermediate 704, 4 layers, 4 heads, 2 KV heads, vocab 2048, tied embeddings.

  run DIR [--tokens 256] [--prompt-len 32] [--threads 2] [--repeats 5] [--warmup 1]
      Greedy generation of --tokens new ids from a fixed prompt, in plain PyTorch eager (the
      Qwen2 forward as Hugging Face writes it: RMSNorm, rotary embeddings, grouped-query
      attention, SwiGLU, tied head) with a KV cache grown by torch.cat, under
      torch.inference_mode(). Warm-up runs, then timed repeats; prints one JSON object with
      tokens/s (median and each repeat), the prompt and the generated ids.
"""
import argparse
import array
import json
import math
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F

CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_act": "silu",
    "hidden_size": 256,
    "intermediate_size": 704,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 2048,
    "max_position_embeddings": 1024,
    "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
    "use_sliding_window": False,
    "attention_dropout": 0.0,
    "initializer_range": 0.02,
    "use_cache": True,
    "bos_token_id": 2046,
    "eos_token_id": 2047,
}


# ---------------------------------------------------------------------------------------------
# make-model


def parameter_shapes(c):
    """(HF name, shape) of every tensor, in checkpoint order (tied: no lm_head.weight)."""
    hidden, inter = c["hidden_size"], c["intermediate_size"]
    head_dim = hidden // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * head_dim, c["num_key_value_heads"] * head_dim
    shapes = [("model.embed_tokens.weight", (c["vocab_size"], hidden))]
    for layer in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        shapes += [
            (p + "input_layernorm.weight", (hidden,)),
            (p + "self_attn.q_proj.weight", (q, hidden)), (p + "self_attn.q_proj.bias", (q,)),
            (p + "self_attn.k_proj.weight", (kv, hidden)), (p + "self_attn.k_proj.bias", (kv,)),
            (p + "self_attn.v_proj.weight", (kv, hidden)), (p + "self_attn.v_proj.bias", (kv,)),
            (p + "self_attn.o_proj.weight", (hidden, q)),
            (p + "post_attention_layernorm.weight", (hidden,)),
            (p + "mlp.gate_proj.weight", (inter, hidden)),
            (p + "mlp.up_proj.weight", (inter, hidden)),
            (p + "mlp.down_proj.weight", (hidden, inter)),
        ]
    shapes.append(("model.norm.weight", (hidden,)))
    return shapes


def random_weights(c, seed):
    """Norms 1; embeddings and q/k/v biases normal(0, initializer_range); projections normal with
    std 1/sqrt(fan_in), so that each layer changes the residual stream as much as a trained one does
    (with 0.02 everywhere the tied head mostly predicts the input token again, forever)."""
    generator = torch.Generator().manual_seed(seed)
    small = c["initializer_range"]
    weights = {}
    for name, shape in parameter_shapes(c):
        if name.endswith("norm.weight"):
            weights[name] = torch.ones(shape)
        elif name.endswith(".bias") or name == "model.embed_tokens.weight":
            weights[name] = torch.randn(shape, generator=generator) * small
        else:
            weights[name] = torch.randn(shape, generator=generator) / math.sqrt(shape[1])
    return weights


def float32_bytes(tensor):
    values = array.array("f", tensor.contiguous().reshape(-1).tolist())
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def write_safetensors(path, tensors):
    """8-byte little-endian header length, JSON header (padded to 8 bytes), raw F32 data."""
    header = {"__metadata__": {"format": "pt"}}
    chunks, offset = [], 0
    for name, tensor in tensors.items():
        data = float32_bytes(tensor)
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for chunk in chunks:
            out.write(chunk)


def make_model(directory, seed):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as out:
        json.dump(CONFIG, out, indent=2)
    write_safetensors(os.path.join(directory, "model.safetensors"), random_weights(CONFIG, seed))


# ---------------------------------------------------------------------------------------------
# run


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = bytearray(blob[8 + length:])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit("%s: only F32 tensors are supported, %s is %s" % (path, name, info["dtype"]))
        begin, end = info["data_offsets"]
        count = (end - begin) // 4
        tensors[name] = torch.frombuffer(data, dtype=torch.float32, count=count, offset=begin).reshape(info["shape"]).clone()
    return tensors


class Qwen2:
    """The Qwen2 forward in plain eager PyTorch, one sequence, with a per-layer KV cache."""

    def __init__(self, directory):
        with open(os.path.join(directory, "config.json")) as f:
            c = json.load(f)
        w = read_safetensors(os.path.join(directory, "model.safetensors"))
        self.heads = c["num_attention_heads"]
        self.kv_heads = c["num_key_value_heads"]
        self.head_dim = c["hidden_size"] // self.heads
        self.eps = c["rms_norm_eps"]
        self.embed = w["model.embed_tokens.weight"]
        self.head = self.embed if c.get("tie_word_embeddings") else w["lm_head.weight"]
        self.norm = w["model.norm.weight"]
        self.layers = []
        for i in range(c["num_hidden_layers"]):
            p = "model.layers.%d." % i
            self.layers.append({k: w[p + k] for k in (
                "input_layernorm.weight", "post_attention_layernorm.weight",
                "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
                "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.o_proj.weight",
                "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight")})
        # Rotary table for every position, computed once (angles in float64, rounded once to float32).
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, self.head_dim, 2, dtype=torch.float64) / self.head_dim))
        freqs = torch.outer(torch.arange(c["max_position_embeddings"], dtype=torch.float64), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos = emb.cos().float()
        self.sin = emb.sin().float()

    def rms_norm(self, x, weight):
        variance = x.pow(2).mean(-1, keepdim=True)
        return weight * (x * torch.rsqrt(variance + self.eps))

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def repeat_kv(self, x):
        repeats = self.heads // self.kv_heads
        if repeats == 1:
            return x
        b, h, t, d = x.shape
        return x[:, :, None, :, :].expand(b, h, repeats, t, d).reshape(b, h * repeats, t, d)

    def attention(self, x, layer, cache, cos, sin, mask):
        w = layer
        b, n, _ = x.shape
        q = F.linear(x, w["self_attn.q_proj.weight"], w["self_attn.q_proj.bias"]).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        k = F.linear(x, w["self_attn.k_proj.weight"], w["self_attn.k_proj.bias"]).view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
        v = F.linear(x, w["self_attn.v_proj.weight"], w["self_attn.v_proj.bias"]).view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + self.rotate_half(q) * sin
        k = k * cos + self.rotate_half(k) * sin
        if cache[0] is not None:
            k = torch.cat((cache[0], k), dim=2)
            v = torch.cat((cache[1], v), dim=2)
        cache[0], cache[1] = k, v
        k = self.repeat_kv(k)
        v = self.repeat_kv(v)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores + mask
        # float32 (float64 for the training benchmark's float64 reference step)
        probs = F.softmax(scores, dim=-1, dtype=torch.promote_types(scores.dtype, torch.float32))
        context = torch.matmul(probs, v).transpose(1, 2).reshape(b, n, self.heads * self.head_dim)
        return F.linear(context, w["self_attn.o_proj.weight"])

    def mlp(self, x, w):
        return F.linear(F.silu(F.linear(x, w["mlp.gate_proj.weight"])) * F.linear(x, w["mlp.up_proj.weight"]),
                        w["mlp.down_proj.weight"])

    def step(self, ids, caches, start):
        """Logits [vocab] of the last of ids [1, n] at positions start..start+n-1; appends to caches."""
        n = ids.shape[1]
        cos = self.cos[start:start + n]
        sin = self.sin[start:start + n]
        mask = None
        if n > 1:
            mask = torch.full((n, start + n), -1e9).triu(start + 1)
        h = F.embedding(ids, self.embed)
        for layer, cache in zip(self.layers, caches):
            h = h + self.attention(self.rms_norm(h, layer["input_layernorm.weight"]), layer, cache, cos, sin, mask)
            h = h + self.mlp(self.rms_norm(h, layer["post_attention_layernorm.weight"]), layer)
        h = self.rms_norm(h[:, -1, :], self.norm)
        return F.linear(h, self.head)[0]

    def generate_greedy(self, prompt, new_tokens):
        caches = [[None, None] for _ in self.layers]
        ids = torch.tensor([prompt], dtype=torch.long)
        start, out = 0, []
        for _ in range(new_tokens):
            logits = self.step(ids, caches, start)
            start += ids.shape[1]
            token = int(torch.argmax(logits))
            out.append(token)
            ids = torch.tensor([[token]], dtype=torch.long)
        return out


def bench_prompt(length, vocab):
    """A fixed prompt of deterministic ids (the Java side reads it from this script's output)."""
    return [(17 + 7919 * i) % (vocab - 2) for i in range(length)]


def run(directory, tokens, prompt_len, threads, repeats, warmup):
    torch.set_num_threads(threads)
    model = Qwen2(directory)
    prompt = bench_prompt(prompt_len, model.embed.shape[0])
    with torch.inference_mode():
        for _ in range(warmup):
            ids = model.generate_greedy(prompt, tokens)
        rates = []
        for _ in range(repeats):
            started = time.perf_counter()
            ids = model.generate_greedy(prompt, tokens)
            rates.append(tokens / (time.perf_counter() - started))
    print(json.dumps({
        "engine": "pytorch-eager", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "tokens": tokens, "prompt_ids": prompt, "tokens_per_s": statistics.median(rates),
        "repeats_tokens_per_s": rates, "ids": ids,
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-model")
    make.add_argument("dir")
    make.add_argument("--seed", type=int, default=1)
    go = commands.add_parser("run")
    go.add_argument("dir")
    go.add_argument("--tokens", type=int, default=256)
    go.add_argument("--prompt-len", type=int, default=32)
    go.add_argument("--threads", type=int, default=2)
    go.add_argument("--repeats", type=int, default=5)
    go.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    if args.command == "make-model":
        make_model(args.dir, args.seed)
    else:
        run(args.dir, args.tokens, args.prompt_len, args.threads, args.repeats, args.warmup)


if __name__ == "__main__":
    main()
