"""Checks trickle with the official Anthropic Python client.

Usage: python check_anthropic.py BASE_URL   (e.g. http://127.0.0.1:8080)
"""
import sys

import anthropic

client = anthropic.Anthropic(base_url=sys.argv[1], api_key="any-key")
messages = [{"role": "user", "content": "write a poem with emoji 🎉"}]


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


with client.messages.stream(model="sim-default", max_tokens=500, messages=messages) as stream:
    text = "".join(stream.text_stream)
    final = stream.get_final_message()
check(final.stop_reason == "end_turn", f"the stream ends with end_turn ({final.stop_reason})")
check(final.content[0].text == text, "the final message holds the streamed text")

whole = client.messages.create(model="sim-default", max_tokens=500, messages=messages)
check(whole.content[0].text == text, "stream and non-stream give the same text")
check(whole.usage.output_tokens == final.usage.output_tokens, "and the same output tokens")

cut = client.messages.create(model="sim-default", max_tokens=3, messages=messages)
check(cut.stop_reason == "max_tokens" and cut.usage.output_tokens <= 3, "max_tokens cuts the reply")
print("python anthropic client: all checks passed")
