"""Checks trickle's embeddings with the official OpenAI Python client.

Usage: python check_embeddings.py BASE_URL   (e.g. http://127.0.0.1:8080/v1)
Exits non-zero, saying what differed, on the first failed check.
"""
import math
import sys

from openai import BadRequestError, OpenAI

base_url = sys.argv[1]
client = OpenAI(base_url=base_url, api_key="any-key")
text = "the quick brown fox 🦊 and 日本語"


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        sys.exit(1)


def norm(vector):
    return math.sqrt(sum(x * x for x in vector))


# Without encoding_format the client asks for base64 and decodes it itself.
raw = client.embeddings.with_raw_response.create(model="sim-embed", input=text)
sent = raw.http_response.json()["data"][0]["embedding"]
check(isinstance(sent, str), "the client asks for base64 by default, and gets a string")
default = raw.parse()
vector = default.data[0].embedding
check(isinstance(vector, list) and all(isinstance(x, float) for x in vector),
      "the default (base64) reply reaches the caller as a list of floats")
check(len(vector) == 1536, f"the profile's 1536 dimensions ({len(vector)})")
check(abs(norm(vector) - 1.0) < 1e-5, f"unit length ({norm(vector)})")
check(default.model == "sim-embed", "the reply names the model")
check(default.usage.prompt_tokens > 0 and default.usage.total_tokens == default.usage.prompt_tokens,
      f"usage counts the input's tokens ({default.usage})")

floats = client.embeddings.create(model="sim-embed", input=text, encoding_format="float")
check(floats.data[0].embedding == vector, "encoding_format=float gives exactly the base64 vector")

again = client.embeddings.create(model="sim-embed", input=text)
check(again.data[0].embedding == vector, "the same text gives the same vector")

short = client.embeddings.create(model="sim-embed", input=text, dimensions=256)
vector256 = short.data[0].embedding
check(len(vector256) == 256, f"dimensions=256 gives 256 ({len(vector256)})")
check(abs(norm(vector256) - 1.0) < 1e-5, f"the shortened vector has unit length ({norm(vector256)})")

texts = ["first", "second", text]
batch = client.embeddings.create(model="sim-embed", input=texts)
check([d.index for d in batch.data] == [0, 1, 2], "a list of inputs gives one vector each, in order")
check(batch.data[2].embedding == vector, "a text in a list embeds as it does alone")
check(batch.data[0].embedding != batch.data[1].embedding, "different texts give different vectors")

try:
    client.embeddings.create(model="sim-default", input=text)
    check(False, "a chat model raises")
except BadRequestError as error:
    check(error.param == "model" and "chat model" in error.message,
          "a chat model raises BadRequestError about model")

models = {m.id: m for m in client.models.list()}
check(getattr(models["sim-embed"], "kind", None) == "embedding", "models.list() says sim-embed is an embedding model")
print("python openai client, embeddings: all checks passed")
