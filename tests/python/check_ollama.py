"""Checks trickle's Ollama API with the official ollama Python client.

Usage: python check_ollama.py BASE_URL   (e.g. http://127.0.0.1:8080)
Exits non-zero, saying what differed, on the first failed check.
"""
import json
import sys

import ollama

client = ollama.Client(host=sys.argv[1])
messages = [{"role": "user", "content": "write a poem with emoji 🎉"}]
options = {"seed": 42}


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


parts = list(client.chat(model="sim-default", messages=messages, options=options, stream=True))
text = "".join(part.message.content or "" for part in parts)
last = parts[-1]
check(len(parts) > 2 and all(not p.done for p in parts[:-1]), f"chat streams {len(parts)} parts")
check(last.done and last.done_reason == "stop", f"the last part is done ({last.done_reason})")
check(last.eval_count > 0 and last.prompt_eval_count > 0, "with token counts")
durations = last.load_duration + last.prompt_eval_duration + last.eval_duration
check(durations == last.total_duration, "and durations that add up to the total")

whole = client.chat(model="sim-default:latest", messages=messages, options=options)
check(whole.message.content == text, "chat() and chat(stream=True) give the same text")
check(whole.eval_count == last.eval_count, "and the same eval_count")

cut = client.chat(model="sim-default", messages=messages, options={"seed": 42, "num_predict": 3})
check(cut.done_reason == "length" and cut.eval_count <= 3, "num_predict cuts the reply")

generated = client.generate(model="sim-echo", prompt="Hello from generate", options=options)
check(generated.response == "Hello from generate", "generate answers in response")
streamed = "".join(p.response for p in client.generate(model="sim-echo", prompt="Hi there", stream=True))
check(streamed == "Hi there", "and streams it")

weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city"}},
            "required": ["city"],
        },
    },
}
ask = [{"role": "user", "content": "What is the weather in Paris?"}]
called = client.chat(model="sim-default", messages=ask, tools=[weather], options=options)
calls = called.message.tool_calls or []
check(len(calls) >= 1, f"tools give tool calls ({len(calls)})")
check(calls[0].function.name == "get_weather", "naming the tool")
check(isinstance(calls[0].function.arguments, dict), "with arguments as a dict")

streamed_calls = [
    call
    for part in client.chat(model="sim-default", messages=ask, tools=[weather], options=options, stream=True)
    for call in part.message.tool_calls or []
]
check(len(streamed_calls) == len(calls), "a stream sends each call whole")

history = ask + [called.message]
for call in calls:
    history.append({"role": "tool", "content": json.dumps({"temperature": 21}), "tool_name": call.function.name})
answer = client.chat(model="sim-default", messages=history, tools=[weather], options=options)
check(not answer.message.tool_calls, "after the tool results the model answers")
check("get_weather" in answer.message.content and "21" in answer.message.content, "quoting the result")

thought = client.chat(model="sim-default", messages=messages, think=True, options=options)
check(bool(thought.message.thinking), "think=True gives message.thinking")
check(thought.message.content == text, "and the same answer after it")
streamed = list(client.chat(model="sim-default", messages=messages, think=True, stream=True))
thinking = [i for i, p in enumerate(streamed) if p.message.thinking]
content = [i for i, p in enumerate(streamed) if p.message.content]
check(thinking and content and max(thinking) < min(content), "a stream sends thinking parts first")

shaped = client.chat(model="sim-default", messages=messages, format="json", options=options)
check(isinstance(json.loads(shaped.message.content), dict), "format='json' gives a JSON object")

names = [m.model for m in client.list().models]
check("sim-default:latest" in names, f"list() names the profiles ({len(names)})")
shown = client.show("sim-default:latest")
check("tools" in shown.capabilities and shown.details.family, "show() describes one")

try:
    client.chat(model="no-such-model", messages=messages)
    check(False, "an unknown model is refused")
except ollama.ResponseError as error:
    check(error.status_code == 404 and "not found" in error.error, f"an unknown model is a 404 ({error.error})")
print("python ollama client: all checks passed")
