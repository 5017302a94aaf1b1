// The chat: the transcript, the composer and one reply at a time, streamed
// over fetch with a body reader (POST /chat): it sends JSON, can carry an
// Authorization header, and Stop aborts it at once.

import { $, element } from "./dom.js";
import { Follower } from "./follow.js";
import { authedFetch, errorMessage } from "./http.js";
import { chosenFields, countPrompt } from "./settings.js";
import { EventStreamParser } from "./sse.js";

let current = null; // { controller, stopped }
let follower = null; // the transcript's Follower

function addMessage(role, text) {
  const item = element("li", `message ${role}`);
  item.append(element("p", "text", text));
  $("transcript").append(item);
  $("starters").hidden = true;
  return item;
}

function setStreaming(on) {
  $("send").disabled = on;
  $("stop").disabled = !on;
}

function formatStats(s) {
  const parts = [];
  if (s.ttft !== null) parts.push(`TTFT ${s.ttft} ms`);
  parts.push(`${s.tokens} tokens`);
  const seconds = s.elapsed / 1000;
  if (s.tokens > 0 && seconds > 0) parts.push(`${(s.tokens / seconds).toFixed(1)} tokens/s`);
  parts.push(`${s.elapsed} ms`);
  if (s.seed !== null) parts.push(`seed ${s.seed}`);
  return parts.join(" · ");
}

async function sendPrompt(prompt) {
  const fields = chosenFields();
  const body = { prompt };
  if (fields.delay !== null) body.token_delay_ms = fields.delay;
  if (fields.model) body.model = fields.model;
  if (fields.seed !== null) body.seed = fields.seed;

  addMessage("user", prompt);
  const reply = addMessage("assistant", "");
  const text = reply.querySelector(".text");
  text.setAttribute("aria-live", "polite");
  const tokens = document.createTextNode("");
  text.append(tokens);
  const stats = element("p", "stats");
  reply.append(stats);
  reply.classList.add("streaming");
  follower.pin();
  $("composer").scrollIntoView({ block: "nearest" });

  const controller = new AbortController();
  current = { controller, stopped: false };
  setStreaming(true);
  const started = performance.now();
  const s = { ttft: null, tokens: 0, elapsed: 0, seed: null };
  const tick = () => { s.elapsed = Math.round(performance.now() - started); stats.textContent = formatStats(s); };
  let ended = false;

  const fail = (message) => {
    const error = element("p", "stats error", message);
    error.setAttribute("role", "alert");
    reply.append(error);
    follower.follow();
  };

  try {
    const response = await authedFetch("/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!response.ok) {
      fail(await errorMessage(response));
      ended = true;
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new EventStreamParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const { event } of parser.push(value)) {
        if (!event) continue;
        if (event.type === "message") {
          if (s.ttft === null) s.ttft = Math.round(performance.now() - started);
          s.tokens += 1;
          tokens.appendData(event.data);
        } else if (event.type === "meta") {
          s.seed = JSON.parse(event.data).seed;
        } else if (event.type === "done") {
          ended = true;
        } else if (event.type === "stream_error") {
          ended = true;
          fail(`Stream error: ${JSON.parse(event.data).message}`);
        }
        tick();
        follower.follow();
      }
    }
    if (!ended) fail("The connection closed before the reply finished.");
  } catch (error) {
    if (current && current.stopped) fail("Stopped.");
    else fail(`The connection failed: ${error.message}`);
  } finally {
    tick();
    reply.classList.remove("streaming");
    follower.follow();
    setStreaming(false);
    current = null;
  }
}

export function setUpChat() {
  const form = $("composer");
  const prompt = $("prompt");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (current) return;
    const text = prompt.value;
    if (text.trim() === "") return;
    prompt.value = "";
    countPrompt();
    sendPrompt(text);
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => {
    if (!current) return;
    current.stopped = true;
    current.controller.abort();
  });
  follower = new Follower($("transcript"));
}
