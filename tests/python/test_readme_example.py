# test_readme_example.py: tests of a support bot, with trickle as its model.
# Run: trickle --fixtures fixtures.toml, then TRICKLE_URL=http://127.0.0.1:8080 pytest
import json
import os
import uuid

import httpx
import openai
import pytest

TRICKLE = os.environ.get("TRICKLE_URL", "http://127.0.0.1:8080")
ORDER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_order",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
    },
}


# The code under test: one question, with a tool to look orders up.
def support_bot(client, question, lookup):
    messages = [
        {"role": "system", "content": "You are a support bot."},
        {"role": "user", "content": question},
    ]
    reply = client.chat.completions.create(
        model="sim-default", messages=messages, tools=[ORDER_TOOL]
    ).choices[0].message
    for call in reply.tool_calls or []:
        result = lookup(**json.loads(call.function.arguments))
        messages.append(reply.model_dump(exclude_none=True))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        reply = client.chat.completions.create(
            model="sim-default", messages=messages, tools=[ORDER_TOOL]
        ).choices[0].message
    return reply.content


@pytest.fixture
def session():
    """Names this test's requests, so that it reads only its own in the journal."""
    name = f"test-{uuid.uuid4()}"
    yield name
    httpx.delete(f"{TRICKLE}/_trickle/requests", params={"session": name})


@pytest.fixture
def client(session):
    return openai.OpenAI(
        base_url=f"{TRICKLE}/v1",
        api_key="sk-test",
        max_retries=0,
        default_headers={"x-trickle-session": session},
    )


def journal(session):
    response = httpx.get(f"{TRICKLE}/_trickle/requests", params={"session": session})
    response.raise_for_status()
    return response.json()["requests"]


def test_a_refund_question_gets_the_policy(client, session):
    answer = support_bot(client, "How long does a refund take?", lookup=None)

    assert answer == "Refunds take 5 business days."
    [request] = journal(session)
    assert request["fixture"] == "refund policy"
    assert request["system"] == "You are a support bot."
    assert request["messages"][-1] == {"role": "user", "text": "How long does a refund take?"}
    assert request["outcome"] == "completed"


def test_an_order_question_looks_the_order_up(client, session):
    looked_up = []

    def lookup(order_id):
        looked_up.append(order_id)
        return "shipping tomorrow"

    answer = support_bot(client, "Where is my order?", lookup)

    assert answer == "Order 42 ships tomorrow."
    assert looked_up == ["42"]
    first, second = journal(session)
    assert (first["fixture"], second["fixture"]) == ("order lookup", "order status")
    assert second["messages"][-1] == {"role": "tool", "text": "shipping tomorrow"}


def test_a_rate_limit_reaches_the_caller(client, session):
    with pytest.raises(openai.RateLimitError):
        support_bot(client, "Are you busy?", lookup=None)

    [request] = journal(session)
    assert (request["status"], request["outcome"]) == (429, "error")
