// trickle's /ai-sdk/chat read as useChat reads it: the ai package's
// DefaultChatTransport (which validates every chunk) and readUIMessageStream
// (which rebuilds the assistant message).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DefaultChatTransport, readUIMessageStream } from 'ai';
import { z } from 'zod';

import { base } from './trickle.mjs';

const weather = z.object({ city: z.string() });
const tools = {
  get_weather: { description: 'The weather in a city', inputSchema: z.toJSONSchema(weather) },
};

function user(text) {
  return { id: 'u1', role: 'user', parts: [{ type: 'text', text }] };
}

/**
 * Sends `messages` as useChat does, with `body` merged in, and reads the
 * reply: the last message state, the errors the reader reported and the
 * response's headers. `message` is the assistant message being continued.
 */
async function chat(messages, { body = {}, headers = {}, message } = {}) {
  let response;
  const transport = new DefaultChatTransport({
    api: `${base}/ai-sdk/chat`,
    body: { model: 'sim-echo', seed: 7, ...body },
    headers,
    fetch: async (...args) => (response = await fetch(...args)),
  });
  const stream = await transport.sendMessages({
    chatId: 'chat-1', messages, trigger: 'submit-message', messageId: undefined, abortSignal: undefined,
  });
  const errors = [];
  let last;
  for await (const state of readUIMessageStream({ message, stream, onError: (e) => errors.push(e) })) {
    last = state;
  }
  return { message: last, errors, headers: response.headers };
}

const kinds = (message) => message.parts.map((part) => part.type);

test('the reply is the text, in a UI message stream', async () => {
  const { message, errors, headers } = await chat([user('Hi 👋🏽')]);
  assert.deepEqual(errors, []);
  assert.equal(headers.get('x-vercel-ai-ui-message-stream'), 'v1');
  assert.equal(headers.get('content-type'), 'text/event-stream');
  assert.match(message.id, /^msg_/);
  assert.equal(message.role, 'assistant');
  assert.deepEqual(kinds(message), ['step-start', 'text']);
  assert.equal(message.parts[1].text, 'Hi 👋🏽', 'sim-echo says the prompt back');
  assert.equal(message.parts[1].state, 'done');
});

test('reasoning comes first when asked for', async () => {
  const { message, errors } = await chat([user('why?')], { body: { reasoning: 'low' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(kinds(message), ['step-start', 'reasoning', 'text']);
  assert.match(message.parts[1].text, /^The question is "why\?"\./);
  assert.equal(message.parts[1].state, 'done');
});

test('offered tools are called with valid input, and their output is answered', async () => {
  const question = user('What is the weather in Paris?');
  const { message: calling, errors } = await chat([question], { body: { tools } });
  assert.deepEqual(errors, []);
  const calls = calling.parts.filter((part) => part.type === 'tool-get_weather');
  assert.ok(calls.length >= 1, JSON.stringify(calling.parts));
  for (const call of calls) {
    assert.equal(call.state, 'input-available');
    assert.match(call.toolCallId, /^call_/);
    assert.ok(weather.safeParse(call.input).success, `valid input: ${JSON.stringify(call.input)}`);
  }

  // What useChat holds after addToolOutput, sent back as it sends it.
  const answered = structuredClone(calling);
  for (const call of answered.parts.filter((part) => part.type === 'tool-get_weather')) {
    Object.assign(call, { state: 'output-available', output: { temperature: 18 } });
  }
  const continued = structuredClone(answered);
  const { message, errors: later } = await chat([question, answered], { body: { tools }, message: continued });
  assert.deepEqual(later, []);
  assert.equal(message.id, calling.id, 'the same assistant message continues');
  assert.deepEqual(kinds(message), [...kinds(answered), 'step-start', 'text']);
  assert.equal(message.parts.at(-1).text, 'Here is what get_weather returned: {"temperature":18}');
});

test('a failure mid-stream is an error part', async () => {
  const { message, errors } = await chat([user('Hi 👋🏽')], { headers: { 'x-trickle-fault': 'stream_error@1' } });
  assert.equal(errors.length, 1, String(errors));
  assert.equal(errors[0].message, 'injected stream_error fault');
  assert.equal(message.parts.at(-1).text, 'Hi', 'the text sent before it is kept');
});

test('a request trickle refuses is an error the transport throws', async () => {
  await assert.rejects(chat([]), /invalid_prompt/);
});
