#!/usr/bin/env python3
"""Golden outputs of the chat templates in this directory, rendered by Python Jinja2 exactly as
Hugging Face transformers renders chat templates (transformers.utils.chat_template_utils:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols
extension, its tojson filter and raise_exception global; its AssistantTracker extension is
stood in for by GenerationBlock, which renders {% generation %} blocks as the tracker does when
not tracking).

Rerun from the repository root after changing a template, a conversation or a snippet:

    python3 trainer-service/src/test/resources/chat-templates/make_expected.py

It needs jinja2 (3.1.x) and refreshes qwen3.jinja from the golden fixtures
(shared/fixtures/tokenizer-qwen/tokenizer_config.json, found in the working directory or above)
when they are present. Writes expected.json beside this script.
"""
import json
import os
import sys

import jinja2
from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))


class GenerationBlock(Extension):
    """transformers' AssistantTracker when not tracking: {% generation %} renders its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


def environment():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationBlock, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def message(role, content):
    return {"role": role, "content": content}


CODE = ("def add(a, b):\n\treturn a + b\r\n\n# naïve café, 日本語, emoji 🙂, nbsp\u00a0end  \n"
        "print(add(1, 2))  # → 3\n")
CONVERSATIONS = {
    "system_user": [message("system", "You are a helpful assistant."), message("user", "Hello!")],
    "multi_turn": [message("user", "What is 2+2?"), message("assistant", "4"),
                   message("user", "And times 3?")],
    "code": [message("system", "  You fix Python code.\n"), message("user", "Fix this:\n```python\n" + CODE + "```"),
             message("assistant", "Here:\n\n```python\n" + CODE.replace("\t", "    ") + "```\n"),
             message("user", "\tThanks — and tabs?\t")],
    "user_only": [message("user", "Write a haiku about the sea.")],
    "thinking": [message("system", "Think first."), message("user", "Why is the sky blue?"),
                 message("assistant", "<think>\nRayleigh scattering.\n</think>\n\nShort wavelengths scatter more.")],
    "not_alternating": [message("user", "one"), message("user", "two")],
}

TEMPLATES = {
    # name: (file, special tokens as transformers' special_tokens_map gives them)
    "qwen3": ("qwen3.jinja", {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}),
    "llama3": ("llama3.jinja", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    "llama2": ("llama2.jinja", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    "zephyr": ("zephyr.jinja", {"bos_token": "<s>", "eos_token": "</s>"}),
    "gemma": ("gemma.jinja", {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>"}),
    "features": ("features.jinja", {"bos_token": "<s>", "eos_token": "</s>"}),
}

# Small templates rendered with messages=CONVERSATIONS["code"]: Jinja2 semantics one at a time.
SNIPPETS = [
    "a\n{% if true %}\nb\n{% endif %}\nc",
    "a\n  {% if true %}\n  b\n  {% endif %}\nc\n",
    "x {% if true %} y {% endif %} z",
    "  {%- if true -%}  y  {%- endif -%}  |",
    "{{ 'a' }}  {% if true %}b{% endif %}",
    "{{ 'a' }}\n  {% if true %}b{% endif %}",
    "line1\n    {# comment #}\nline2",
    "a {#- c -#} b",
    "a\n{#- c #}\nb",
    "{% for m in messages %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}",
    "{% for m in messages %}\n  - {{ m.role }}\n{% endfor %}\n",
    "{%+ if true %}x{% endif %}\n  {%+ if true %}y{% endif %}",
    "{% if true +%}\nkeep\n{% endif +%}\nnext",
    "{{ messages[0].content.strip() }}|",
    "{{ messages[1].content.split('\\n')[1] }}",
    "{{ messages[1].content.split() | length }}",
    "{{ messages[3].content | trim }}|{{ messages[3].content.strip('\\t') }}|",
    "{{ 'a,b,,c'.split(',') }} {{ 'a b  c'.split(None, 1) }} {{ 'k=v=w'.split('=', 1) }}",
    "{{ messages | map(attribute='role') | list | tojson }}",
    "{{ messages[1] | tojson }}",
    "{{ {'x': [1, {'y': none}], 'z': false} | tojson }} {{ [] | tojson }} {{ {} | tojson }}",
    "{{ [1.0, 0.1, 1e20, 1.5e-7, -2.25, 100.0] | tojson }}",
    "{{ 'é' | tojson(ensure_ascii=true) }} {{ '\\x7f\\x01' | tojson }}",
    "{{ messages[::-1][0].role }} {{ messages[1:3] | length }} {{ messages[:-1] | length }} {{ messages[-1:][0].role }}",
    "{{ 'hello'[1:3] }}{{ 'hello'[:-1] }}{{ 'hello'[::-2] }}",
    "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + m.content | length %}{% endfor %}{{ ns.n }}",
    "{{ 'x' if messages | length > 3 else 'y' }}",
    "{{ messages[0]['role'] == 'system' and messages[-1]['role'] == 'user' }}",
    "{% if messages[0].content is string and messages[0].missing is not defined %}ok{% endif %}",
    "{{ 'a\\nb\\tc\\\\d\\'e\\\"f' }}",
    "{{ '<|im_start|>' + messages[2].role + '\\n' + messages[2].content + '<|im_end|>' }}",
    "{% for m in messages %}{{ loop.index0 }}{{ loop.revindex0 }}{{ loop.first }}{% endfor %}",
    "{{ messages | selectattr('role', 'equalto', 'user') | list | length }}",
    "{{ (messages | first).role }} {{ (messages | last).role }}",
    "{{ 'Hello World'.lower().replace(' ', '_') }}",
    "{{ messages[2].content.startswith('Here') }} {{ messages[2].content.endswith('```\\n') }}",
    "{% macro m(x, y='d') %}<{{ x }}|{{ y }}>{% endmacro %}{{ m(1) }}{{ m(2, 'e') }}",
    "{{ ' '.join(['a', 'b']) }}",
    "{{ messages[0]['content'][2] }}|{{ messages[1]['content'][-1] }}|{{ 'ab'[5] }}|",
    "{{ messages[1].content.splitlines() | length }} {{ 'a\\r\\nb\\rc\\n'.splitlines() }}",
    "{% set ns = namespace(last=messages|length - 1, first=0,) %}{{ ns.last }}{{ ns.first }}",
    "{% for m in messages if m.role != 'system' %}{{ loop.index }}{{ m.role[0] }}{% endfor %}",
    "{{ '\\n' if not false }}|{{ 'x' if false }}|",
    "{% set s = messages[0]['content'] if messages[0]['role'] == 'system' else '' %}[{{ s }}]",
    "{% for k, v in messages[0].items() %}{{ k }}:{{ v | length }};{% endfor %}",
    "{{ missing | default('dflt') }} {{ messages[0].missing | default('d2') }}",
    "{{ messages[0].get('role') }} {{ messages[0].get('nope', 'fallback') }}",
    "{% if messages %}nonempty{% endif %}{% if [] %}x{% else %}empty{% endif %}",
    "{{ [1, 'a', none, true, 1.5, {'k': \"it's\"}] }} {{ messages[0] }}",
    "{{ 10 / 4 }} {{ 10 // 4 }} {{ 3 * 1.5 }} {{ -7 // 2 }} {{ 0.1 + 0.2 }} {{ 2 ** 0.5 }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}",
    "{{ messages | selectattr('role', 'eq', 'user') | map(attribute='content') | first | length }}",
    "{% for i in range(messages | length) %}{{ i }}{% endfor %}{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}",
    "{% generation %}{{ messages[-1].content | trim }}{% endgeneration %}",
]


def render(template, variables):
    try:
        return {"text": template.render(**variables)}
    except TemplateError as e:
        return {"raised": str(e)}


def refresh_qwen():
    directory = os.getcwd()
    while True:
        candidate = os.path.join(directory, "shared", "fixtures", "tokenizer-qwen", "tokenizer_config.json")
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as f:
                source = json.load(f)["chat_template"]
            with open(os.path.join(HERE, "qwen3.jinja"), "w", encoding="utf-8", newline="") as f:
                f.write(source)
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def main():
    source = refresh_qwen()
    print("qwen3.jinja from", source or "(fixtures not found; kept as is)", file=sys.stderr)
    env = environment()
    templates = {}
    for name, (file, special_tokens) in TEMPLATES.items():
        with open(os.path.join(HERE, file), encoding="utf-8", newline="") as f:
            template = env.from_string(f.read())
        results = {}
        for conversation, messages in CONVERSATIONS.items():
            for prompt in (True, False):
                variables = dict(special_tokens, messages=messages, tools=None, documents=None,
                                 add_generation_prompt=prompt)
                results[conversation + ("" if prompt else "/no_generation_prompt")] = render(template, variables)
        templates[name] = {"file": file, "special_tokens": special_tokens, "results": results}
    snippets = []
    for snippet in SNIPPETS:
        result = render(env.from_string(snippet), {"messages": CONVERSATIONS["code"]})
        snippets.append(dict(template=snippet, **result))
    expected = {
        "generator": "make_expected.py (Python " + sys.version.split()[0] + ", Jinja2 " + jinja2.__version__ + ")",
        "conversations": CONVERSATIONS,
        "templates": templates,
        "snippets": snippets,
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
