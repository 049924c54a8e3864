#!/usr/bin/python3
"""Writes tiny random Llama and Qwen2 checkpoints in Hugging Face layouts for convert_test.cpp,
with reference logits from a PyTorch forward pass written here (no transformers needed).

Usage: make_torch_models.py OUT_DIR

OUT_DIR/<variant>/ gets config.json, tokenizer.json, tokenizer_config.json and weights:
  llama_st       model.safetensors, F32
  llama_sharded  two BF16 safetensors shards + model.safetensors.index.json
  llama_pt       pytorch_model.bin (torch.save of the state dict; one nn.Parameter)
  qwen2_st       model.safetensors, F16, with a redundant lm_head.weight (tied embeddings)
  qwen2_pt       pytorch_model.bin
  evil_system    pytorch_model.bin whose pickle calls os.system (must never run)
  evil_eval      pytorch_model.bin whose pickle calls builtins.eval (must never run)
and each model's reference: reference.json ({"tokens": [...], "n_vocab": V}) and logits.f32
(float32 [n_tokens, V], little-endian: the logits after every token).

Weights are rounded to bfloat16 values, so F32, F16 and BF16 files hold the same numbers and one
float64 reference serves them all.
"""
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import torch

TOKENS = [0, 5, 17, 42, 99, 200, 3, 150, 7, 250, 261, 64]


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (byte-level BPE alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def tokenizer_files():
    """A tiny byte-level BPE: 256 byte tokens, 20 merges, 3 special tokens (279 in all)."""
    alphabet = list(bytes_to_unicode().values())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    pairs = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("a", "n"), ("e", "r"),
             ("o", "n"), ("Ġ", "a"), ("r", "e"), ("a", "t"), ("e", "n"), ("o", "r"),
             ("Ġ", "s"), ("e", "d"), ("i", "s"), ("Ġ", "w"), ("i", "t"), ("Ġ", "o"),
             ("e", "s"), ("a", "r")]
    merges = []
    for a, b in pairs:
        vocab[a + b] = len(vocab)
        merges.append(a + " " + b)
    added = []
    for text in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]:
        added.append({"id": len(vocab), "content": text, "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True})
        vocab[text] = len(vocab)
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False,
                  "vocab": {k: v for k, v in vocab.items() if k not in
                            ("<|endoftext|>", "<|im_start|>", "<|im_end|>")},
                  "merges": merges},
    }
    config = {
        "add_bos_token": False, "bos_token": None, "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}"
                         "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}"
                         "<|im_start|>assistant\n{% endif %}",
    }
    return tokenizer, config, len(vocab)


def make_weights(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    h, ff, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    n_head, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = h // n_head
    qwen = cfg["architectures"][0] == "Qwen2ForCausalLM"

    def rnd(*shape, std=0.1, mean=0.0):
        return (mean + std * torch.randn(*shape, generator=g)).to(torch.bfloat16).float()

    w = OrderedDict()
    w["model.embed_tokens.weight"] = rnd(v, h, std=1.0)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = rnd(h, mean=1.0)
        # Large enough that attention scores vary: a wrong Q/K row order changes the logits.
        w[p + "self_attn.q_proj.weight"] = rnd(n_head * d, h, std=0.25)
        w[p + "self_attn.k_proj.weight"] = rnd(n_kv * d, h, std=0.25)
        w[p + "self_attn.v_proj.weight"] = rnd(n_kv * d, h)
        if qwen:
            w[p + "self_attn.q_proj.bias"] = rnd(n_head * d, std=0.5)
            w[p + "self_attn.k_proj.bias"] = rnd(n_kv * d, std=0.5)
            w[p + "self_attn.v_proj.bias"] = rnd(n_kv * d, std=0.5)
        w[p + "self_attn.o_proj.weight"] = rnd(h, n_head * d)
        w[p + "post_attention_layernorm.weight"] = rnd(h, mean=1.0)
        w[p + "mlp.gate_proj.weight"] = rnd(ff, h)
        w[p + "mlp.up_proj.weight"] = rnd(ff, h)
        w[p + "mlp.down_proj.weight"] = rnd(h, ff)
    w["model.norm.weight"] = rnd(h, mean=1.0)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(v, h, std=0.2)
    return w


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rope(x, theta):
    """Hugging Face's rotate-half RoPE on x [T, heads, d] at positions 0..T-1."""
    t, _, d = x.shape
    inv = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    freqs = torch.arange(t, dtype=torch.float64)[:, None] * inv[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    rotated = torch.cat([-x[..., d // 2:], x[..., :d // 2]], dim=-1)
    return x * cos + rotated * sin


def forward(cfg, w, tokens):
    """Logits [T, V] in float64: embeddings, per layer RMSNorm -> GQA attention (causal) ->
    residual -> RMSNorm -> SwiGLU -> residual, final norm, lm_head (or tied embedding)."""
    w = {k: t.double() for k, t in w.items()}
    h, eps, theta = cfg["hidden_size"], cfg["rms_norm_eps"], cfg["rope_theta"]
    n_head, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = h // n_head
    t = len(tokens)
    x = w["model.embed_tokens.weight"][torch.tensor(tokens)]
    mask = torch.triu(torch.full((t, t), float("-inf"), dtype=torch.float64), diagonal=1)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        xn = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def proj(name):
            y = xn @ w[p + f"self_attn.{name}_proj.weight"].T
            bias = p + f"self_attn.{name}_proj.bias"
            return y + w[bias] if bias in w else y

        q = rope(proj("q").view(t, n_head, d), theta)
        k = rope(proj("k").view(t, n_kv, d), theta)
        v = proj("v").view(t, n_kv, d)
        group = n_head // n_kv
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(d) + mask
        attn = torch.einsum("hqk,khd->qhd", scores.softmax(-1), v).reshape(t, n_head * d)
        x = x + attn @ w[p + "self_attn.o_proj.weight"].T
        xn = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = xn @ w[p + "mlp.gate_proj.weight"].T
        up = xn @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def safetensors_bytes(tensors, dtype):
    """The safetensors encoding of {name: tensor} with every tensor stored as `dtype`."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.to(dtype).contiguous()
        raw = (t.view(torch.int16) if dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": names[dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_common(out, cfg, tok, tok_cfg, logits):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tok, f, ensure_ascii=False)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(tok_cfg, f, indent=2)
    if logits is not None:
        with open(os.path.join(out, "reference.json"), "w") as f:
            json.dump({"tokens": TOKENS, "n_vocab": logits.shape[1]}, f)
        with open(os.path.join(out, "logits.f32"), "wb") as f:
            f.write(logits.float().numpy().astype("<f4").tobytes())


class Evil:
    """Pickles as a call of `fn(arg)`; a safe loader must refuse it before anything runs."""

    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def main():
    out_dir = sys.argv[1]
    tok, tok_cfg, n_tokens = tokenizer_files()
    base = {"max_position_embeddings": 256, "hidden_act": "silu", "torch_dtype": "float32",
            "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
            "num_key_value_heads": 2}
    llama = dict(base, architectures=["LlamaForCausalLM"], model_type="llama",
                 intermediate_size=128, vocab_size=n_tokens, rms_norm_eps=1e-5,
                 rope_theta=10000.0, tie_word_embeddings=False)
    # 136-wide down_proj rows do not fill Q8_0's 32-blocks (F16 fallback); vocab padded to 288.
    qwen2 = dict(base, architectures=["Qwen2ForCausalLM"], model_type="qwen2",
                 intermediate_size=136, vocab_size=288, rms_norm_eps=1e-6,
                 rope_theta=1000000.0, tie_word_embeddings=True)

    for name, cfg, seed in [("llama", llama, 1), ("qwen2", qwen2, 2)]:
        w = make_weights(cfg, seed)
        logits = forward(cfg, w, TOKENS)
        if name == "llama":
            d = os.path.join(out_dir, "llama_st")
            write_common(d, cfg, tok, tok_cfg, logits)
            with open(os.path.join(d, "model.safetensors"), "wb") as f:
                f.write(safetensors_bytes(w, torch.float32))

            d = os.path.join(out_dir, "llama_sharded")
            write_common(d, cfg, tok, tok_cfg, logits)
            names = list(w.keys())
            half = len(names) // 2
            weight_map = {}
            for i, part in enumerate([names[:half], names[half:]]):
                shard = f"model-{i + 1:05d}-of-00002.safetensors"
                with open(os.path.join(d, shard), "wb") as f:
                    f.write(safetensors_bytes({n: w[n] for n in part}, torch.bfloat16))
                weight_map.update({n: shard for n in part})
            with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
                json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
        else:
            d = os.path.join(out_dir, "qwen2_st")
            write_common(d, cfg, tok, tok_cfg, logits)
            with_head = OrderedDict(w)
            with_head["lm_head.weight"] = w["model.embed_tokens.weight"]
            with open(os.path.join(d, "model.safetensors"), "wb") as f:
                f.write(safetensors_bytes(with_head, torch.float16))

        d = os.path.join(out_dir, name + "_pt")
        write_common(d, cfg, tok, tok_cfg, logits)
        state = OrderedDict(w)
        # A Parameter pickles through torch._utils._rebuild_parameter.
        first = next(iter(state))
        state[first] = torch.nn.Parameter(state[first], requires_grad=False)
        # As model.state_dict() has: pickled as a BUILD of the OrderedDict.
        state._metadata = OrderedDict([("", {"version": 1}), ("model", {"version": 1})])
        torch.save(state, os.path.join(d, "pytorch_model.bin"))

    for name, fn, arg in [("evil_system", os.system, "touch {marker}"),
                          ("evil_eval", eval, "__import__('os').system('touch {marker}')")]:
        d = os.path.join(out_dir, name)
        write_common(d, llama, tok, tok_cfg, None)
        marker = os.path.join(d, "executed")
        state = OrderedDict(make_weights(llama, 1))
        state["model.norm.weight"] = Evil(fn, arg.format(marker=marker))
        torch.save(state, os.path.join(d, "pytorch_model.bin"))


if __name__ == "__main__":
    main()
