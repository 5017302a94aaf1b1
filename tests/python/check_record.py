"""Record and replay with the official openai and anthropic clients: a
trickle upstream (standing in for the provider, requiring the client's key),
a recording gateway in front of it, then the upstream stopped and the
recordings replayed offline. What each client reconstructs must match byte
for byte.

Usage: check_record.py PATH_TO_TRICKLE_BINARY
"""

import os
import re
import subprocess
import sys
import tempfile
import time

import anthropic
import openai

KEY = "sk-check-record-0123456789"

UPSTREAM_FIXTURES = """
[[fixture]]
match = { user = { contains = "weather" }, model = "gpt-4o-mini" }
reply.text = "Checking the weather in Paris."
reply.tool_calls = [{ name = "get_weather", arguments = { city = "Paris", unit = "celsius" } }]

[[fixture]]
match = { user = { contains = "weather" }, model = "claude-sonnet-5" }
reply.text = "I'll look it up."
reply.tool_calls = [{ name = "get_weather", arguments = { city = "Paris" } }]
"""

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}]


def start(binary, env, log):
    """Starts trickle on a free port; returns the process and its base URL."""
    env = {**os.environ, "NO_COLOR": "1", **env}
    process = subprocess.Popen([binary, "--port", "0"], env=env, stderr=open(log, "w"))
    for _ in range(200):
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", open(log).read())
        if found:
            return process, found.group(1)
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"trickle did not start: {open(log).read()}")


def openai_heard(base):
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=KEY)
    text, calls = "", {}
    with client.chat.completions.stream(
        model="gpt-4o-mini", tools=TOOLS,
        messages=[{"role": "user", "content": "what's the weather in Paris?"}],
    ) as stream:
        for event in stream:
            if event.type == "content.delta":
                text += event.delta
        final = stream.get_final_completion()
    for call in final.choices[0].message.tool_calls or []:
        calls[call.function.name] = call.function.arguments
    return text, calls


def anthropic_heard(base):
    client = anthropic.Anthropic(base_url=base, api_key=KEY)
    with client.messages.stream(
        model="claude-sonnet-5", max_tokens=512,
        tools=[{"name": "get_weather", "input_schema": {"type": "object"}}],
        messages=[{"role": "user", "content": "weather in Paris?"}],
    ) as stream:
        text = "".join(stream.text_stream)
        message = stream.get_final_message()
    calls = {b.name: b.input for b in message.content if b.type == "tool_use"}
    return text, calls


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp()
    fixtures = os.path.join(work, "upstream.toml")
    open(fixtures, "w").write(UPSTREAM_FIXTURES)
    pacing = {"TRICKLE__STREAM__TTFT_MS": "100", "TRICKLE__STREAM__TOKEN_DELAY_MS": "10"}
    processes = []
    try:
        upstream, up = start(binary, {
            **pacing, "TRICKLE__FIXTURES__FILE": fixtures,
            "TRICKLE__AUTH__API_KEYS": KEY}, os.path.join(work, "up.log"))
        processes.append(upstream)
        direct = {"openai": openai_heard(up), "anthropic": anthropic_heard(up)}
        recorded = {}
        for api, heard in [("openai", openai_heard), ("anthropic", anthropic_heard)]:
            file = os.path.join(work, f"{api}.toml")
            gateway, gw = start(binary, {
                "TRICKLE__RECORD__UPSTREAM": up, "TRICKLE__RECORD__API": api,
                "TRICKLE__RECORD__FILE": file}, os.path.join(work, f"gw-{api}.log"))
            processes.append(gateway)
            through = heard(gw)
            assert through == direct[api], (api, through, direct[api])
            saved = open(file).read()
            assert KEY not in saved and "authorization" not in saved.lower(), saved
            recorded[api] = file
        upstream.terminate()
        upstream.wait()
        for api, heard in [("openai", openai_heard), ("anthropic", anthropic_heard)]:
            replay, rp = start(binary, {"TRICKLE__FIXTURES__FILE": recorded[api]},
                               os.path.join(work, f"rp-{api}.log"))
            processes.append(replay)
            replayed = heard(rp)
            assert replayed == direct[api], (api, replayed, direct[api])
            print(f"record and replay, {api} client: {replayed[0]!r} {replayed[1]}")
    finally:
        for process in processes:
            process.kill()
    print("record and replay: all checks passed")


main()
