// One request and its streamed reply, for any API: builds the request with
// the API's adapter, sends it with fetch (asking for a key on a 401), reads
// the body as it arrives with the parser its framing needs, shows every
// record in the wire view and hands each message to the adapter, which tells
// the chat what the reply says.

import { askForKey, errorText, storedKey } from "./http.js";
import { JsonArrayParser, NdjsonParser } from "./json-stream.js";
import { EventStreamParser } from "./sse.js";

const PARSERS = {
  sse: () => new EventStreamParser(),
  ndjson: () => new NdjsonParser(),
  "json-array": () => new JsonArrayParser(),
};

/** The message a record carries for the adapter, or null (a `[`, a retry, a blank line). */
function message(framing, record) {
  if (framing === "sse") return record.event;
  return record.json === undefined ? null : JSON.parse(record.json);
}

/**
 * Sends `api`'s request for `ask` and reads the reply into `sink` (the
 * adapter's text, reasoning, seed, end and fail, plus `tick()` after each
 * piece of body) and `wire`. Resolves when the body has ended, or when a
 * message could not be read (then `sink.fail` says so); rejects when the
 * connection fails or `signal` aborts it.
 */
export async function exchange(api, ask, { wire, sink, signal }) {
  let started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const send = () => {
    const key = storedKey();
    const request = api.request({ ...ask, key });
    started = performance.now();
    wire.start(api, request, key);
    return fetch(request.path, {
      method: request.method,
      headers: request.headers,
      body: JSON.stringify(request.body),
      signal,
    });
  };
  try {
    let response = await send();
    if (response.status === 401 && (await askForKey())) response = await send();
    wire.response(response, since());
    if (!response.ok) {
      const body = await response.text();
      wire.records([{ raw: body, whole: true }], since());
      wire.finish("end of body", since());
      sink.fail(errorText(response.status, response.statusText, body));
      return;
    }
    const parser = PARSERS[api.framing]();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      const records = done ? parser.end() : parser.push(value);
      wire.records(records, since());
      for (const record of records) {
        try {
          const read = message(api.framing, record);
          if (read !== null) api.read(read, sink);
        } catch (error) {
          sink.fail(`The reply could not be read: ${error.message}`);
          wire.finish(`stopped reading: ${error.message}`, since());
          reader.cancel();
          return;
        }
      }
      sink.tick();
      if (done) break;
    }
    wire.finish("end of body", since());
  } catch (error) {
    wire.finish(signal.aborted ? "stopped: the request was aborted" : `failed: ${error.message}`, since());
    throw error;
  }
}
