"""Checks trickle's Gemini API with Google's official google-genai client.

Usage: python check_gemini.py BASE_URL   (e.g. http://127.0.0.1:8080)
The client calls BASE_URL/v1/…, its default API version; the last checks
call /v1beta/… too. Exits non-zero, saying what differed, on the first
failed check.
"""
import json
import sys

from google import genai
from google.genai import errors, types

base_url = sys.argv[1]
client = genai.Client(api_key="any", http_options=types.HttpOptions(base_url=base_url))
prompt = "write a poem with emoji 🎉 and 日本語"
weather = types.Tool(
    function_declarations=[
        types.FunctionDeclaration(
            name="get_weather",
            description="The weather in a city",
            parameters=types.Schema(
                type="OBJECT",
                properties={"city": types.Schema(type="STRING")},
                required=["city"],
            ),
        )
    ]
)


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


# Text, streamed and whole.
config = types.GenerateContentConfig(seed=42, system_instruction="You are brief.")
chunks = list(client.models.generate_content_stream(model="sim-default", contents=prompt, config=config))
text = "".join(chunk.text or "" for chunk in chunks)
last = chunks[-1]
check(len(chunks) > 1 and text != "", f"generate_content_stream streams the reply ({len(chunks)} chunks)")
check(
    last.candidates[0].finish_reason == types.FinishReason.STOP,
    f"the last chunk says STOP ({last.candidates[0].finish_reason})",
)
check(all(c.candidates[0].finish_reason is None for c in chunks[:-1]), "and only the last one")
usage = last.usage_metadata
check(
    usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count
    and usage.candidates_token_count > 0,
    f"usage adds up ({usage.prompt_token_count} + {usage.candidates_token_count} = {usage.total_token_count})",
)
check(last.model_version == "sim-default" and last.response_id, "modelVersion and responseId are set")

whole = client.models.generate_content(model="sim-default", contents=prompt, config=config)
check(whole.text == text, "generate_content gives the streamed text")
check(
    whole.usage_metadata.total_token_count == usage.total_token_count,
    "and the same usage",
)

cut = client.models.generate_content(
    model="sim-default", contents=prompt,
    config=types.GenerateContentConfig(seed=42, max_output_tokens=5, system_instruction="You are brief."),
)
check(
    cut.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS,
    f"max_output_tokens ends with MAX_TOKENS ({cut.candidates[0].finish_reason})",
)
check(text.startswith(cut.text) and cut.usage_metadata.candidates_token_count <= 5, "with a prefix of the reply")

# Thinking: thought parts first.
thinking = types.GenerateContentConfig(seed=42, thinking_config=types.ThinkingConfig(include_thoughts=True))
answer = client.models.generate_content(model="sim-default", contents=prompt, config=thinking)
parts = answer.candidates[0].content.parts
check(parts[0].thought is True and parts[0].text, "include_thoughts: a part with thought=True comes first")
check(not parts[-1].thought and answer.text == whole.text, "then the same answer, which .text leaves thoughts out of")
check(answer.usage_metadata.thoughts_token_count > 0, "thoughts are counted in thoughts_token_count")
streamed = list(client.models.generate_content_stream(model="sim-default", contents=prompt, config=thinking))
kinds = [bool(p.thought) for c in streamed for p in (c.candidates[0].content.parts or [])]
check(kinds[0] and not kinds[-1] and kinds == sorted(kinds, reverse=True), "streamed: thoughts first, then text")

# A function call, then its answer.
question = types.Content(role="user", parts=[types.Part(text="What is the weather in Paris?")])
tools = types.GenerateContentConfig(
    tools=[weather],
    tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="ANY")),
    automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
)
called = client.models.generate_content(model="sim-default", contents=[question], config=tools)
calls = called.function_calls or []
check(len(calls) >= 1 and all(c.name == "get_weather" for c in calls), f"function_calls: {len(calls)} get_weather call(s)")
check(all(isinstance(c.args, dict) and c.id for c in calls), "each with an id and args as a dict")
streamed_calls = [
    call for chunk in client.models.generate_content_stream(model="sim-default", contents=[question], config=tools)
    for call in (chunk.function_calls or [])
]
check(len(streamed_calls) >= 1 and all(isinstance(c.args, dict) for c in streamed_calls), "streamed: whole calls")

results = [
    types.Part.from_function_response(name=call.name, response={"result": "18°C, sunny"}) for call in calls
]
history = [question, called.candidates[0].content, types.Content(role="user", parts=results)]
final = client.models.generate_content(model="sim-default", contents=history, config=tools)
check(not final.function_calls, "after the function response, no more calls")
check(
    "get_weather" in final.text and "18°C, sunny" in final.text,
    f"the answer names the function and its result ({final.text!r})",
)

# JSON output.
structured = client.models.generate_content(
    model="sim-default", contents=prompt,
    config=types.GenerateContentConfig(response_mime_type="application/json"),
)
check(isinstance(json.loads(structured.text), dict), f"response_mime_type JSON: a JSON object ({structured.text[:40]}…)")

# Counting and listing.
counted = client.models.count_tokens(model="sim-default", contents=prompt)
plain = client.models.generate_content(model="sim-default", contents=prompt, config=types.GenerateContentConfig(seed=42))
check(
    counted.total_tokens == plain.usage_metadata.prompt_token_count,
    f"count_tokens is the prompt_token_count ({counted.total_tokens})",
)
names = [model.name for model in client.models.list()]
check("models/sim-default" in names and "models/sim-echo" in names, f"models.list() lists the chat models ({len(names)})")
check(client.models.get(model="sim-echo").name == "models/sim-echo", "models.get() gets one")
beta = genai.Client(api_key="any", http_options=types.HttpOptions(base_url=base_url, api_version="v1beta"))
check(beta.models.generate_content(model="sim-default", contents=prompt, config=config).text == text, "/v1beta too")

try:
    client.models.generate_content(model="no-such-model", contents=prompt)
    check(False, "an unknown model raises")
except errors.ClientError as error:
    check(error.code == 404 and error.status == "NOT_FOUND", f"an unknown model is a 404 NOT_FOUND ({error.code} {error.status})")
print("python google-genai client: all checks passed")
