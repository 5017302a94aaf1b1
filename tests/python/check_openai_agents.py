"""Checks trickle's tool calls, reasoning and structured output with the
official OpenAI Python client's own helpers.

Usage: python check_openai_agents.py BASE_URL   (e.g. http://127.0.0.1:8080/v1)
Exits non-zero, saying what differed, on the first failed check.
"""
import json
import sys

from openai import OpenAI
from pydantic import BaseModel

client = OpenAI(base_url=sys.argv[1], api_key="any-key")


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
messages = [{"role": "user", "content": "What is the weather in Paris?"}]

# The agent loop: the model calls, the client runs the tool, the model answers.
with client.chat.completions.stream(
    model="sim-default", messages=messages, tools=[weather], seed=7
) as stream:
    for _ in stream:
        pass
    first = stream.get_final_completion()
choice = first.choices[0]
calls = choice.message.tool_calls or []
check(choice.finish_reason == "tool_calls", f"the stream finishes with tool_calls ({choice.finish_reason})")
check(1 <= len(calls) <= 3, f"one to three tool calls ({len(calls)})")
check(len({c.id for c in calls}) == len(calls), "every call has its own id")
for call in calls:
    arguments = json.loads(call.function.arguments)
    check(call.function.name == "get_weather", "the offered tool is called")
    check(
        set(arguments) >= {"city", "unit"} and arguments["unit"] in ("celsius", "fahrenheit"),
        f"the arguments follow the schema ({arguments})",
    )

history = messages + [choice.message.model_dump(exclude_none=True)]
for call in calls:
    history.append({"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'})
with client.chat.completions.stream(
    model="sim-default", messages=history, tools=[weather], seed=7
) as stream:
    answer = "".join(e.delta for e in stream if e.type == "content.delta")
    second = stream.get_final_completion()
check(second.choices[0].finish_reason == "stop", "after the tool result the model answers with stop")
check("get_weather" in answer and "21" in answer, f"the answer mentions the result ({answer!r})")
check(not second.choices[0].message.tool_calls, "and calls nothing more")

named = client.chat.completions.create(
    model="sim-default",
    messages=messages,
    tools=[weather],
    tool_choice={"type": "function", "function": {"name": "get_weather"}},
)
check(len(named.choices[0].message.tool_calls) == 1, "a named tool choice gives one call")
none = client.chat.completions.create(
    model="sim-default", messages=messages, tools=[weather], tool_choice="none"
)
check(none.choices[0].message.tool_calls is None, "tool_choice none never calls")

# Reasoning comes first, counted in usage.
reasoned = client.chat.completions.create(
    model="sim-default", messages=messages, reasoning_effort="high", seed=3
)
details = reasoned.usage.completion_tokens_details
check(details.reasoning_tokens > 0, f"reasoning tokens are counted ({details.reasoning_tokens})")
check(
    bool(reasoned.choices[0].message.model_extra.get("reasoning_content")),
    "the message carries reasoning_content",
)


# Structured output, parsed by the client into a Pydantic model.
class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: list[Step]
    final_answer: str


parsed = client.chat.completions.parse(
    model="sim-default",
    messages=[{"role": "user", "content": "solve 8x + 7 = -23"}],
    response_format=MathReasoning,
    seed=11,
)
result = parsed.choices[0].message.parsed
check(isinstance(result, MathReasoning), f"parse() gives the Pydantic model ({type(result).__name__})")
check(len(result.steps) >= 1 and isinstance(result.final_answer, str), "with its fields filled")
as_object = client.chat.completions.create(
    model="sim-default", messages=messages, response_format={"type": "json_object"}
)
check(isinstance(json.loads(as_object.choices[0].message.content), dict), "json_object gives an object")
print("python openai agents: all checks passed")
