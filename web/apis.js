// One small adapter per API trickle speaks: the request that API's clients
// send, how its body is framed, and how to read the reply's text out of it.
//
// An adapter is { id, label, framing, delay, request(ask), read(message, sink) }:
// - `framing`: "sse", "ndjson" or "json-array" (the parser that cuts the body);
// - `delay`: whether the API takes trickle's per-request `token_delay_ms`
//   (the providers' own APIs have no such field: the model's pace applies);
// - `request(ask)` gets { prompt, model, modelChosen, seed, delay, key }
//   (seed, delay and key null when not set; model is a name, the server's
//   default unless modelChosen) and returns { method, path, headers, body };
// - `read(message, sink)` gets a dispatched event { type, data, id } for SSE,
//   or the parsed value for JSON framings, and calls the sink's text(s),
//   reasoning(s), seed(n), end() or fail(message).

const JSON_TYPE = "application/json";

/** One user turn, in OpenAI's, Anthropic's and Ollama's message shape. */
const userTurn = (prompt) => [{ role: "user", content: prompt }];

/** `Authorization: Bearer <key>` when a key is set. */
const bearer = (key) => (key ? { Authorization: `Bearer ${key}` } : {});

/** Adds the fields that are set: `{ seed: 42 }`, not `{ seed: null }`. */
function withSet(object, extra) {
  for (const [name, value] of Object.entries(extra)) if (value !== null) object[name] = value;
  return object;
}

const native = {
  id: "chat",
  label: "trickle /chat",
  framing: "sse",
  delay: true,
  request: ({ prompt, model, seed, delay, key, modelChosen }) => ({
    method: "POST",
    path: "/chat",
    headers: { "Content-Type": JSON_TYPE, Accept: "text/event-stream", ...bearer(key) },
    body: withSet({ prompt }, { token_delay_ms: delay, model: modelChosen ? model : null, seed }),
  }),
  read({ type, data }, sink) {
    if (type === "message") sink.text(data);
    else if (type === "meta") sink.seed(JSON.parse(data).seed);
    else if (type === "done") sink.end();
    else if (type === "stream_error") sink.fail(`Stream error: ${JSON.parse(data).message}`);
  },
};

const openai = {
  id: "openai",
  label: "OpenAI chat completions",
  framing: "sse",
  delay: false,
  request: ({ prompt, model, seed, key }) => ({
    method: "POST",
    path: "/v1/chat/completions",
    headers: { "Content-Type": JSON_TYPE, ...bearer(key) },
    body: withSet({
      model,
      messages: userTurn(prompt),
      stream: true,
      stream_options: { include_usage: true },
    }, { seed }),
  }),
  read({ data }, sink) {
    if (data === "[DONE]") return sink.end();
    const chunk = JSON.parse(data);
    if (chunk.error) return sink.fail(`Stream error: ${chunk.error.message}`);
    const delta = chunk.choices?.[0]?.delta ?? {};
    if (delta.reasoning_content) sink.reasoning(delta.reasoning_content);
    if (delta.content) sink.text(delta.content);
  },
};

const responses = {
  id: "responses",
  label: "OpenAI Responses",
  framing: "sse",
  delay: false,
  request: ({ prompt, model, seed, key }) => ({
    method: "POST",
    path: "/v1/responses",
    headers: { "Content-Type": JSON_TYPE, ...bearer(key) },
    body: withSet({ model, input: prompt, stream: true }, { seed }),
  }),
  read({ data }, sink) {
    const event = JSON.parse(data);
    if (event.type === "response.output_text.delta") sink.text(event.delta);
    else if (event.type === "response.reasoning_summary_text.delta") sink.reasoning(event.delta);
    else if (event.type === "response.completed" || event.type === "response.incomplete") sink.end();
    else if (event.type === "response.failed") sink.fail(`Stream error: ${event.response?.error?.message}`);
    else if (event.type === "error") sink.fail(`Stream error: ${event.message}`);
  },
};

const anthropic = {
  id: "anthropic",
  label: "Anthropic messages",
  framing: "sse",
  delay: false,
  request: ({ prompt, model, seed, key }) => ({
    method: "POST",
    path: "/v1/messages",
    headers: {
      "Content-Type": JSON_TYPE,
      "anthropic-version": "2023-06-01",
      ...(key ? { "x-api-key": key } : {}),
    },
    // max_tokens is required; this one leaves room for the longest prompt an echo repeats.
    body: withSet({ model, max_tokens: 8192, stream: true, messages: userTurn(prompt) }, { seed }),
  }),
  read({ data }, sink) {
    const event = JSON.parse(data);
    if (event.type === "content_block_delta") {
      if (event.delta.type === "text_delta") sink.text(event.delta.text);
      else if (event.delta.type === "thinking_delta") sink.reasoning(event.delta.thinking);
    } else if (event.type === "message_stop") sink.end();
    else if (event.type === "error") sink.fail(`Stream error: ${event.error.message}`);
  },
};

/** Gemini's request; `sse` picks `?alt=sse` over the streamed JSON array. */
function geminiRequest(sse) {
  return ({ prompt, model, seed, key }) => ({
    method: "POST",
    path: `/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent${sse ? "?alt=sse" : ""}`,
    headers: { "Content-Type": JSON_TYPE, ...(key ? { "x-goog-api-key": key } : {}) },
    body: withSet({ contents: [{ role: "user", parts: [{ text: prompt }] }] },
      { generationConfig: seed === null ? null : { seed } }),
  });
}

/** One GenerateContentResponse: text parts, thought parts, the finish, or an error. */
function readGemini(object, sink) {
  if (object.error) return sink.fail(`Stream error: ${object.error.message}`);
  const candidate = object.candidates?.[0];
  for (const part of candidate?.content?.parts ?? []) {
    if (typeof part.text !== "string" || part.text === "") continue;
    if (part.thought) sink.reasoning(part.text);
    else sink.text(part.text);
  }
  if (candidate?.finishReason) sink.end();
}

const geminiSse = {
  id: "gemini-sse",
  label: "Gemini, SSE",
  framing: "sse",
  delay: false,
  request: geminiRequest(true),
  read: ({ data }, sink) => readGemini(JSON.parse(data), sink),
};

const geminiArray = {
  id: "gemini-array",
  label: "Gemini, JSON array",
  framing: "json-array",
  delay: false,
  request: geminiRequest(false),
  read: readGemini,
};

const ollama = {
  id: "ollama",
  label: "Ollama chat",
  framing: "ndjson",
  delay: false,
  request: ({ prompt, model, seed, key }) => ({
    method: "POST",
    path: "/api/chat",
    headers: { "Content-Type": JSON_TYPE, ...bearer(key) },
    body: withSet({ model, messages: userTurn(prompt), stream: true },
      { options: seed === null ? null : { seed } }),
  }),
  read(line, sink) {
    if (line.error) return sink.fail(`Stream error: ${line.error}`);
    if (line.message?.thinking) sink.reasoning(line.message.thinking);
    if (line.message?.content) sink.text(line.message.content);
    if (line.done) sink.end();
  },
};

/** A random id, as useChat makes them for the chat and each message. */
const newId = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

const aiSdk = {
  id: "ai-sdk",
  label: "AI SDK UI stream",
  framing: "sse",
  delay: true,
  request: ({ prompt, model, seed, delay, key }) => ({
    method: "POST",
    path: "/ai-sdk/chat",
    headers: { "Content-Type": JSON_TYPE, ...bearer(key) },
    // What DefaultChatTransport sends, with its `body` option's fields after.
    body: withSet({
      id: newId(),
      messages: [{ id: newId(), role: "user", parts: [{ type: "text", text: prompt }] }],
      trigger: "submit-message",
      model,
    }, { seed, token_delay_ms: delay }),
  }),
  read({ data }, sink) {
    if (data === "[DONE]") return sink.end();
    const part = JSON.parse(data);
    if (part.type === "text-delta") sink.text(part.delta);
    else if (part.type === "reasoning-delta") sink.reasoning(part.delta);
    else if (part.type === "finish") sink.end();
    else if (part.type === "error") sink.fail(`Stream error: ${part.errorText}`);
  },
};

/** Every API, in the order the page offers them; the first is the default. */
export const APIS = [native, openai, responses, anthropic, geminiSse, geminiArray, ollama, aiSdk];

/** The adapter with this id (the default for an unknown one). */
export const apiById = (id) => APIS.find((api) => api.id === id) ?? APIS[0];
