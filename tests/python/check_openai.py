"""Checks trickle with the official OpenAI Python client.

Usage: python check_openai.py BASE_URL   (e.g. http://127.0.0.1:8080/v1)
Exits non-zero, saying what differed, on the first failed check.
"""
import sys

from openai import NotFoundError, OpenAI

base_url = sys.argv[1]
client = OpenAI(base_url=base_url, api_key="any-key")
messages = [
    {"role": "system", "content": "You are brief."},
    {"role": "user", "content": "write a poem with emoji 🎉 and 日本語"},
]


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


stream = client.chat.completions.create(
    model="sim-default", messages=messages, seed=42, stream=True,
    stream_options={"include_usage": True},
)
text, usage, finish, ids = "", None, None, set()
for chunk in stream:
    ids.add((chunk.id, chunk.created))
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
        finish = finish or chunk.choices[0].finish_reason
    if chunk.usage:
        usage = chunk.usage
check(len(ids) == 1, "every chunk has the same id and created")
check(finish == "stop", f"the stream finishes with stop ({finish})")
check(usage is not None, "include_usage gives a usage chunk")

whole = client.chat.completions.create(model="sim-default", messages=messages, seed=42)
check(whole.choices[0].message.content == text, "stream and non-stream give the same text")
check(
    (whole.usage.prompt_tokens, whole.usage.completion_tokens)
    == (usage.prompt_tokens, usage.completion_tokens),
    f"stream and non-stream give the same usage ({usage})",
)
check(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, "total = prompt + completion")

cut = client.chat.completions.create(model="sim-default", messages=messages, seed=42, max_tokens=5)
check(cut.choices[0].finish_reason == "length", "max_tokens cuts with finish_reason length")
check(cut.usage.completion_tokens <= 5, f"at most 5 completion tokens ({cut.usage.completion_tokens})")
check(text.startswith(cut.choices[0].message.content), "the cut reply is a prefix of the whole")

try:
    client.chat.completions.create(model="no-such-model", messages=messages)
    check(False, "an unknown model raises")
except NotFoundError as error:
    check(error.code == "model_not_found", "an unknown model raises NotFoundError with model_not_found")

models = [m.id for m in client.models.list()]
check("sim-echo" in models, "models.list() lists the profiles")
print("python openai client: all checks passed")
