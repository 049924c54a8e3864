#!/usr/bin/python3
"""Writes tests/tokenizer/chat_template_cases.json: what jinja2, the reference implementation,
renders for each chat template over a table of conversations, under Hugging Face's settings
(ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, loop controls,
raise_exception, and HF's tojson). chat_template_cases_test.cpp renders the same cases with our
Jinja subset and compares byte for byte, so the test itself never needs Python.

Templates: every built-in (read from src/liftoff/tokenizer/chat_template_builtin.cpp) and the
real ones shipped in ../shared/models (phi-3 GGUF metadata, qwen3 and llama3
tokenizer_config.json). Regenerate after changing a built-in:

    /usr/bin/python3 tests/tokenizer/chat_template_cases.py

Needs python3-jinja2 (scripts/install-deps.sh). LIFTOFF_MODELS_DIR overrides ../shared/models.
"""
import json
import os
import re
import struct
import sys
from pathlib import Path

import jinja2
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
MODELS = Path(os.environ.get("LIFTOFF_MODELS_DIR") or REPO.parent / "shared" / "models")
OUT = REPO / "tests" / "tokenizer" / "chat_template_cases.json"

# Special tokens each built-in is rendered with: those of its model family.
BUILTIN_TOKENS = {
    "chatml": ("", "<|im_end|>"),
    "llama2": ("<s>", "</s>"),
    "llama3": ("<|begin_of_text|>", "<|eot_id|>"),
    "mistral": ("<s>", "</s>"),
    "zephyr": ("<s>", "</s>"),
    "gemma": ("<bos>", "<eos>"),
    "phi3": ("<s>", "<|endoftext|>"),
}


def msg(role, content):
    return {"role": role, "content": content}


CONVERSATIONS = {
    "user_only": [msg("user", "Hello!")],
    "system_user": [msg("system", "You are a terse assistant."), msg("user", "What is 2+2?")],
    "multi_turn": [
        msg("user", "Hi there"),
        msg("assistant", "Hello! How can I help?"),
        msg("user", "Tell me a joke."),
    ],
    "system_multi_turn": [
        msg("system", "Answer in French."),
        msg("user", "Good morning"),
        msg("assistant", "Bonjour"),
        msg("user", "Thank you"),
    ],
    "ends_with_assistant": [msg("user", "Say yes."), msg("assistant", "Yes.")],
    "unicode": [
        msg("user", "Grüße — 你好, мир! 🚀 naïve café\u00a0"),
        msg("assistant", "¡Hola! こんにちは 👋"),
        msg("user", "Ελληνικά ok?"),
    ],
    # Message text is data: Jinja syntax and special tokens inside it must come out verbatim.
    "template_text": [
        msg("user", "What does {{ x }} print? And {% if true %}yes{% endif %} {# no #}"),
        msg("assistant", "It prints x; {{ messages }} is not expanded. <|im_end|> [INST]"),
        msg("user", "{%- raw -%} and \\n and '\" quotes"),
    ],
    "whitespace": [
        msg("system", "  padded system  \n"),
        msg("user", "\n\n  indented\n\ttab\n"),
        msg("assistant", "  answer with spaces  "),
        msg("user", "last "),
    ],
    "empty_content": [msg("user", "")],
    "thinking_history": [
        msg("user", "Think first."),
        msg("assistant", "<think>\nStep 1, step 2.\n</think>\n\nThe answer is 4."),
        msg("user", "And now?"),
    ],
    "tool_turns": [
        msg("user", "Weather in Paris?"),
        msg("assistant", "Let me check."),
        msg("tool", '{"temp": 21}'),
        msg("tool", '{"sky": "clear"}'),
        msg("user", "Thanks"),
    ],
    "not_alternating": [msg("user", "One"), msg("user", "Two")],
    "no_messages": [],
}


def hf_environment():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def builtin_templates():
    source = (REPO / "src" / "liftoff" / "tokenizer" / "chat_template_builtin.cpp").read_text()
    found = re.findall(r'\{"(\w+)", R"jinja\((.*?)\)jinja"\}', source, re.S)
    if sorted(name for name, _ in found) != sorted(BUILTIN_TOKENS):
        sys.exit(f"built-ins in the C++ file {[n for n, _ in found]} != {sorted(BUILTIN_TOKENS)}")
    return {f"builtin:{name}": {"builtin": name, "source": text, "bos_token": BUILTIN_TOKENS[name][0],
                                "eos_token": BUILTIN_TOKENS[name][1]} for name, text in found}


def gguf_metadata(path):
    """The scalar and string metadata of a GGUF file (arrays are skipped, except token texts)."""
    data = path.read_bytes()
    pos = 0

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values[0]

    def string():
        nonlocal pos
        n = take("Q")
        text = data[pos:pos + n].decode("utf-8")
        pos += n
        return text

    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

    def value(kind):
        if kind == 8:
            return string()
        if kind == 9:
            element, count = take("I"), take("Q")
            return [value(element) for _ in range(count)]
        return take(scalar[kind])

    if data[:4] != b"GGUF":
        sys.exit(f"{path}: not a GGUF file")
    pos = 4
    take("I")  # version
    take("Q")  # tensor count
    meta = {}
    for _ in range(take("Q")):
        key = string()
        meta[key] = value(take("I"))
    return meta


def model_templates():
    phi3_path = MODELS / "vocab" / "ggml-vocab-phi-3.gguf"
    meta = gguf_metadata(phi3_path)
    tokens = meta["tokenizer.ggml.tokens"]
    templates = {
        "model:phi-3": {
            "model_file": "vocab/ggml-vocab-phi-3.gguf",
            "source": meta["tokenizer.chat_template"],
            "bos_token": tokens[meta["tokenizer.ggml.bos_token_id"]],
            "eos_token": tokens[meta["tokenizer.ggml.eos_token_id"]],
        }
    }
    for name in ("qwen3", "llama3"):
        config = json.loads((MODELS / "tokenizers" / name / "tokenizer_config.json").read_text())
        templates[f"model:{name}"] = {
            "tokenizer_json": f"tokenizers/{name}/tokenizer.json",
            "source": config["chat_template"],
            "bos_token": config.get("bos_token") or "",
            "eos_token": config.get("eos_token") or "",
        }
    return templates


def main():
    env = hf_environment()
    templates = {**builtin_templates(), **model_templates()}
    cases = []
    for template_id, template in templates.items():
        compiled = env.from_string(template["source"])
        for conversation, messages in CONVERSATIONS.items():
            for add_generation_prompt in (True, False):
                case = {"template": template_id, "conversation": conversation,
                        "add_generation_prompt": add_generation_prompt}
                try:
                    case["expected"] = compiled.render(
                        messages=messages, add_generation_prompt=add_generation_prompt,
                        bos_token=template["bos_token"], eos_token=template["eos_token"])
                except TemplateError as e:  # raise_exception or a template bug (UndefinedError)
                    case["error"] = str(e)
                    case["raised"] = type(e) is TemplateError
                cases.append(case)
    result = {
        "generated_by": "tests/tokenizer/chat_template_cases.py",
        "jinja2_version": jinja2.__version__,
        "conversations": CONVERSATIONS,
        "templates": templates,
        "cases": cases,
    }
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    n_errors = sum("error" in c for c in cases)
    print(f"{OUT.relative_to(REPO)}: {len(cases)} cases ({n_errors} errors) over "
          f"{len(templates)} templates, jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
