"""Checks trickle's tool use and extended thinking with the official
Anthropic Python client.

Usage: python check_anthropic_agents.py BASE_URL   (e.g. http://127.0.0.1:8080)
"""
import sys

import anthropic

client = anthropic.Anthropic(base_url=sys.argv[1], api_key="any-key")
messages = [{"role": "user", "content": "What is the weather in Paris?"}]
weather = {
    "name": "get_weather",
    "description": "The weather in a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
}


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


thinking = {"type": "enabled", "budget_tokens": 1024}
with client.messages.stream(
    model="sim-default", max_tokens=2000, messages=messages, thinking=thinking
) as stream:
    thought = "".join(e.thinking for e in stream if e.type == "thinking")
    final = stream.get_final_message()
kinds = [block.type for block in final.content]
check(kinds == ["thinking", "text"], f"a thinking block, then the text ({kinds})")
check(final.content[0].thinking == thought and thought, "the thinking block holds the streamed thinking")
check(bool(final.content[0].signature), "the thinking block is signed")
check(final.stop_reason == "end_turn", f"it ends with end_turn ({final.stop_reason})")

# The agent loop: tool_use, the client runs the tool, the model answers.
with client.messages.stream(
    model="sim-default", max_tokens=1000, messages=messages, tools=[weather]
) as stream:
    final = stream.get_final_message()
uses = [block for block in final.content if block.type == "tool_use"]
check(final.stop_reason == "tool_use", f"it stops for tool use ({final.stop_reason})")
check(len(uses) >= 1 and all(u.id.startswith("toolu_") for u in uses), "tool_use blocks with toolu_ ids")
check(all(isinstance(u.input, dict) and "city" in u.input for u in uses), f"inputs follow the schema ({[u.input for u in uses]})")
history = messages + [
    {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in final.content]},
    {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": use.id, "content": "18 degrees and sunny"}
            for use in uses
        ],
    },
]
answer = client.messages.create(model="sim-default", max_tokens=1000, messages=history, tools=[weather])
check(answer.stop_reason == "end_turn", "after the tool result it ends its turn")
check("18 degrees" in answer.content[0].text, f"the answer mentions the result ({answer.content[0].text!r})")

with client.messages.stream(
    model="sim-default", max_tokens=3000, messages=messages, tools=[weather], thinking=thinking
) as stream:
    final = stream.get_final_message()
kinds = [block.type for block in final.content]
check(kinds[0] == "thinking" and "tool_use" in kinds, f"thinking, then tool use ({kinds})")
print("python anthropic agents: all checks passed")
