// The chat: the transcript, the composer and one reply at a time. The reply
// comes from whichever API is chosen (exchange.js sends the request and
// reads the stream; the wire view shows it raw); the chat renders its text
// and reasoning and the stats. Stop aborts the request at once.

import { apiById, APIS } from "./apis.js";
import { $, element } from "./dom.js";
import { exchange } from "./exchange.js";
import { Follower } from "./follow.js";
import { chosenFields, countPrompt } from "./settings.js";
import { WireView } from "./wire.js";

const API_STORAGE = "trickle.api";

let current = null; // { controller, stopped }
let follower = null; // the transcript's Follower
let wire = null; // the WireView

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
  parts.push(`via ${s.api}`);
  return parts.join(" · ");
}

/** An assistant message to stream into: reasoning (shown once some comes), text, stats. */
function addReply() {
  const reply = addMessage("assistant", "");
  const reasoning = element("p", "reasoning");
  reasoning.hidden = true;
  const thoughts = document.createTextNode("");
  reasoning.append(thoughts);
  const text = reply.querySelector(".text");
  text.setAttribute("aria-live", "polite");
  const tokens = document.createTextNode("");
  text.append(tokens);
  text.before(reasoning);
  const stats = element("p", "stats");
  reply.append(stats);
  reply.classList.add("streaming");
  return { reply, reasoning, thoughts, tokens, stats };
}

async function sendPrompt(prompt) {
  const api = apiById($("api").value);
  const fields = chosenFields();
  const ask = {
    prompt,
    model: fields.model ?? fields.defaultModel,
    modelChosen: fields.model !== null,
    seed: fields.seed,
    delay: api.delay ? fields.delay : null,
  };

  addMessage("user", prompt);
  const { reply, reasoning, thoughts, tokens, stats } = addReply();
  follower.pin();
  $("composer").scrollIntoView({ block: "nearest" });

  const controller = new AbortController();
  current = { controller, stopped: false };
  setStreaming(true);
  const started = performance.now();
  const s = { ttft: null, tokens: 0, elapsed: 0, seed: ask.seed, api: api.label };
  let ended = false;

  const fail = (message) => {
    const error = element("p", "stats error", message);
    error.setAttribute("role", "alert");
    reply.append(error);
    follower.follow();
  };
  const token = () => {
    if (s.ttft === null) s.ttft = Math.round(performance.now() - started);
    s.tokens += 1;
  };
  const sink = {
    text: (t) => { token(); tokens.appendData(t); },
    reasoning: (t) => { token(); reasoning.hidden = false; thoughts.appendData(t); },
    seed: (seed) => { s.seed = seed; },
    end: () => { ended = true; },
    fail: (message) => { ended = true; fail(message); },
    tick: () => {
      s.elapsed = Math.round(performance.now() - started);
      stats.textContent = formatStats(s);
      follower.follow();
    },
  };

  try {
    await exchange(api, ask, { wire, sink, signal: controller.signal });
    if (!ended) fail("The connection closed before the reply finished.");
  } catch (error) {
    if (current && current.stopped) fail("Stopped.");
    else fail(`The connection failed: ${error.message}`);
  } finally {
    sink.tick();
    reply.classList.remove("streaming");
    setStreaming(false);
    current = null;
  }
}

/** The API picker: every API the page speaks; the token delay only where the API takes one. */
function setUpApis() {
  const select = $("api");
  for (const api of APIS) {
    const option = element("option", "", api.label);
    option.value = api.id;
    select.append(option);
  }
  select.value = apiById(sessionStorage.getItem(API_STORAGE)).id;
  const apply = () => {
    const { delay } = apiById(select.value);
    $("delay").disabled = !delay;
    $("delay-label").title = delay ? "" : "This API has no per-request delay: the model's own pace applies.";
    sessionStorage.setItem(API_STORAGE, select.value);
  };
  select.addEventListener("change", apply);
  apply();
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
  setUpApis();
  follower = new Follower($("transcript"));
  wire = new WireView();
}
