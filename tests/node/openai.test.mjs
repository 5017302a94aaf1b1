// streamText with the AI SDK's OpenAI provider (the Responses API, its
// default) against trickle's /v1, unchanged: text, then a tool loop.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createOpenAI } from '@ai-sdk/openai';
import { stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';

import { base } from './trickle.mjs';

const openai = createOpenAI({ baseURL: `${base}/v1`, apiKey: 'any' });

/** Reads a whole stream: the text deltas joined and any error parts. */
async function drain(result) {
  let text = '';
  const errors = [];
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'error' || part.type === 'tool-error') errors.push(part.error);
  }
  return { text, errors };
}

test('streamText streams the text it ends with', async () => {
  const result = streamText({ model: openai('sim-default'), prompt: 'hi there' });
  const { text, errors } = await drain(result);
  assert.deepEqual(errors, []);
  assert.ok(text.length > 0, 'some text streams');
  assert.equal(await result.text, text, 'the final text is the streamed text');
  assert.equal(await result.finishReason, 'stop');
  const usage = await result.usage;
  assert.ok(usage.outputTokens > 0 && usage.totalTokens === usage.inputTokens + usage.outputTokens, JSON.stringify(usage));
});

test('streamText calls a tool with valid input, runs it, and answers with its result', async () => {
  const weather = z.object({ city: z.string() });
  const executed = [];
  const result = streamText({
    model: openai('sim-default'),
    prompt: 'What is the weather in Paris?',
    tools: {
      get_weather: tool({
        description: 'The weather in a city',
        inputSchema: weather,
        execute: async (input) => {
          executed.push(input);
          return { city: input.city, temperature: 18 };
        },
      }),
    },
    stopWhen: stepCountIs(2),
  });
  const { text, errors } = await drain(result);
  assert.deepEqual(errors, [], 'no invalid tool input, no stream error');
  const [calling, answering] = await result.steps;
  assert.equal(calling.finishReason, 'tool-calls');
  assert.ok(calling.toolCalls.length >= 1, 'the first step calls the tool');
  for (const call of calling.toolCalls) {
    assert.equal(call.toolName, 'get_weather');
    assert.ok(weather.safeParse(call.input).success, `valid input: ${JSON.stringify(call.input)}`);
  }
  assert.equal(executed.length, calling.toolCalls.length, 'each call is executed');
  assert.equal(answering.finishReason, 'stop');
  assert.match(answering.text, /get_weather/);
  assert.match(answering.text, /"temperature":18/, 'the answer quotes the result');
  assert.equal(await result.text, answering.text, 'the final text is the last step\'s');
  assert.ok(text.endsWith(answering.text), 'and it streamed');
});
