"""Checks trickle's Responses API with the official OpenAI Python client.

Usage: python check_responses.py BASE_URL   (e.g. http://127.0.0.1:8080/v1)
Exits non-zero, saying what differed, on the first failed check.
"""
import json
import sys

from openai import BadRequestError, OpenAI

base_url = sys.argv[1]
client = OpenAI(base_url=base_url, api_key="any-key")
prompt = "write a poem with emoji 🎉 and 日本語"
weather = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


def numbered(events):
    numbers = [event.sequence_number for event in events]
    return numbers == list(range(len(numbers)))


# Text.
with client.responses.stream(
    model="sim-default", input=prompt, instructions="You are brief.", extra_body={"seed": 42},
) as stream:
    events = list(stream)
    final = stream.get_final_response()
text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
check(events[0].type == "response.created", "the stream opens with response.created")
check(events[-1].type == "response.completed", f"and ends with response.completed ({events[-1].type})")
check(numbered(events), "sequence numbers run from 0 without gaps")
check(text != "" and final.output_text == text, "get_final_response().output_text is the streamed text")
check(final.status == "completed" and final.id.startswith("resp_"), f"the final response is completed ({final.status})")
usage = final.usage
check(
    usage.total_tokens == usage.input_tokens + usage.output_tokens and usage.output_tokens > 0,
    f"usage adds up ({usage})",
)

whole = client.responses.create(
    model="sim-default", input=prompt, instructions="You are brief.", extra_body={"seed": 42},
)
check(whole.output_text == text, "responses.create gives the streamed text")
check(
    (whole.usage.input_tokens, whole.usage.output_tokens) == (usage.input_tokens, usage.output_tokens),
    "and the same usage",
)
check(whole.instructions == "You are brief.", "instructions are repeated back")

cut = client.responses.create(model="sim-default", input=prompt, max_output_tokens=5, extra_body={"seed": 42})
check(
    cut.status == "incomplete" and cut.incomplete_details.reason == "max_output_tokens",
    f"max_output_tokens makes it incomplete ({cut.status}, {cut.incomplete_details})",
)
check(text.startswith(cut.output_text) and cut.usage.output_tokens <= 5, "with a prefix of the reply")

# Reasoning with a summary.
with client.responses.stream(
    model="sim-default", input=prompt, reasoning={"effort": "low", "summary": "auto"},
    extra_body={"seed": 42},
) as stream:
    events = list(stream)
    final = stream.get_final_response()
summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
reasoning, message = final.output[0], final.output[1]
check(numbered(events), "reasoning: sequence numbers run from 0 without gaps")
check(
    reasoning.type == "reasoning" and summary != "" and reasoning.summary[0].text == summary,
    "reasoning: a reasoning item first, its summary streamed",
)
check(
    message.type == "message" and final.output_text == text,
    "reasoning: then the message, with the same answer",
)
deltas = {e.output_index for e in events if e.type == "response.output_text.delta"}
check(deltas == {1}, f"reasoning: the text deltas are at output_index 1 ({deltas})")
check(final.usage.output_tokens_details.reasoning_tokens > 0, "reasoning: reasoning tokens are counted")

# A function tool, then its result.
question = [{"role": "user", "content": "What is the weather in Paris?"}]
with client.responses.stream(
    model="sim-default", input=question, tools=[weather], tool_choice="required",
    parallel_tool_calls=False,
) as stream:
    events = list(stream)
    final = stream.get_final_response()
calls = [item for item in final.output if item.type == "function_call"]
check(len(calls) == 1 and calls[0].name == "get_weather", "tools: one function_call item")
arguments = json.loads(calls[0].arguments)
check(isinstance(arguments, dict), f"tools: arguments are a JSON object ({calls[0].arguments})")
check(calls[0].parsed_arguments == arguments, "tools: the client parses them (strict tool)")
check(calls[0].call_id.startswith("call_") and calls[0].id.startswith("fc_"), "tools: call_… and fc_… ids")
done = [e for e in events if e.type == "response.function_call_arguments.done"]
check(
    len(done) == 1 and done[0].arguments == calls[0].arguments and done[0].item_id == calls[0].id,
    "tools: function_call_arguments.done carries the whole arguments",
)

answer = client.responses.create(
    model="sim-default", tools=[weather],
    input=question + [calls[0].model_dump(exclude_none=True)]
    + [{"type": "function_call_output", "call_id": calls[0].call_id, "output": "18°C, sunny"}],
)
check(answer.status == "completed", "tools: the result is answered")
check(
    "get_weather" in answer.output_text and "18°C, sunny" in answer.output_text,
    f"tools: the answer names the tool and its result ({answer.output_text!r})",
)

try:
    client.responses.create(model="sim-default", input="hi", previous_response_id="resp_1")
    check(False, "previous_response_id raises")
except BadRequestError as error:
    check(error.param == "previous_response_id", "previous_response_id is a BadRequestError about it")
print("python openai client, responses: all checks passed")
