// trickle's chat page. Chat replies stream over fetch + a body reader (POST
// /chat): it sends JSON, can carry an Authorization header, and Stop aborts
// it at once. The clock uses EventSource (GET /clock), which reconnects by
// itself with Last-Event-ID, which is what the demo shows. The fields start
// from the server's settings (GET /page/settings.json) and a request carries
// only what the user changed, so the server's configuration decides the rest.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "trickle.apiKey";
/** The token delay slider's usual range; it stretches to a slower profile. */
const DELAY_RANGE_MS = 200;
/** How close to the bottom a reader must scroll for the transcript to follow again. */
const NEAR_BOTTOM_PX = 40;

/** Incremental event-stream parser, as the HTML standard describes it. */
class EventStreamParser {
  constructor() {
    this.buffer = "";
    this.data = [];
    this.event = "";
    this.id = "";
    this.sawCR = false;
  }

  /** Feeds decoded text; returns the events it completes. */
  push(text) {
    const events = [];
    let start = 0;
    let i = 0;
    let chunk = this.buffer + text;
    // A CR at the end of the previous chunk already ended its line.
    if (this.sawCR && chunk.startsWith("\n")) chunk = chunk.slice(1);
    this.sawCR = false;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (c !== "\n" && c !== "\r") continue;
      this.line(chunk.slice(start, i), events);
      if (c === "\r") {
        if (i + 1 === chunk.length) this.sawCR = true;
        else if (chunk[i + 1] === "\n") i++;
      }
      start = i + 1;
    }
    this.buffer = chunk.slice(start);
    return events;
  }

  line(line, events) {
    if (line === "") {
      if (this.data.length > 0) {
        events.push({ type: this.event || "message", data: this.data.join("\n"), id: this.id });
      }
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Asks for an API key; resolves true when one was given. */
function askForKey() {
  const dialog = $("key-dialog");
  const input = $("key-input");
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok" && input.value.trim() !== "";
      if (ok) sessionStorage.setItem(KEY_STORAGE, input.value.trim());
      resolve(ok);
    }, { once: true });
    dialog.showModal();
  });
}

/** fetch with the stored key; on a 401 asks for a key once and retries. */
async function authedFetch(url, options = {}) {
  const send = () => fetch(url, { ...options, headers: { ...options.headers, ...authHeaders() } });
  let response = await send();
  if (response.status === 401 && (await askForKey())) response = await send();
  return response;
}

/** The message of a JSON error response, or a description of the status. */
async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (_) { /* not JSON */ }
  return `the server answered ${response.status} ${response.statusText}`;
}

// ---- following the newest text --------------------------------------------

/**
 * Keeps a scrolling list at its bottom while the reader is there, so every
 * new token stays in view; scrolling up to read stops that until the reader
 * comes back to the bottom. A wheel, touch or key gesture upwards stops it at
 * once, before the scroll lands, so a token arriving in between cannot pull
 * the reader back down.
 */
class Follower {
  constructor(box) {
    this.box = box;
    this.pinned = true;
    this.lastTop = 0;
    this.touchY = 0;
    const passive = { passive: true };
    box.addEventListener("scroll", () => this.scrolled(), passive);
    box.addEventListener("wheel", (e) => { if (e.deltaY < 0) this.unpin(); }, passive);
    box.addEventListener("touchstart", (e) => { this.touchY = e.touches[0].clientY; }, passive);
    box.addEventListener("touchmove", (e) => { if (e.touches[0].clientY > this.touchY) this.unpin(); }, passive);
    box.addEventListener("keydown", (e) => { if (["ArrowUp", "PageUp", "Home"].includes(e.key)) this.unpin(); });
    new ResizeObserver(() => this.follow()).observe(box);
  }

  unpin() {
    if (this.box.scrollTop > 0) this.pinned = false;
  }

  /** Moving up (and not merely clamped at the bottom) unpins; reaching the bottom pins. */
  scrolled() {
    const top = this.box.scrollTop;
    const gap = this.box.scrollHeight - this.box.clientHeight - top;
    if (top < this.lastTop && gap > 1) this.pinned = false;
    else if (gap <= NEAR_BOTTOM_PX) this.pinned = true;
    this.lastTop = top;
  }

  /** Call after adding content: back to the bottom if following. */
  follow() {
    if (this.pinned) this.box.scrollTop = this.box.scrollHeight;
  }

  /** The user sent something: show the newest, whatever they were reading. */
  pin() {
    this.pinned = true;
    this.follow();
  }
}

// ---- server settings -------------------------------------------------------

/** GET /page/settings.json once loaded: clock, limits, default model, starters. */
let settings = null;

async function loadSettings() {
  try {
    const response = await fetch("/page/settings.json");
    if (!response.ok) throw new Error(await errorMessage(response));
    settings = await response.json();
  } catch (error) {
    console.warn("page settings unavailable; the server's own defaults apply:", error.message);
    return;
  }
  const { clock, limits } = settings;
  const interval = $("clock-interval");
  const count = $("clock-count");
  interval.min = String(limits.min_clock_interval_ms);
  interval.max = String(limits.max_clock_interval_ms);
  count.max = String(limits.max_clock_count);
  // The default value is what "unchanged" means when the clock starts; a
  // field the user already typed in keeps its value.
  interval.defaultValue = String(clock.interval_ms);
  count.defaultValue = String(clock.count);
  const pace = profiles.get($("model").value)?.token_delay_ms ?? settings.default_model.token_delay_ms;
  if (!delayChanged && Number.isFinite(pace)) setDelay(pace);
  showStarters(settings.starters);
  countPrompt();
}

/** The starter prompts, shown while the chat is empty; a click fills the box. */
function showStarters(prompts) {
  const items = prompts.map((text) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.addEventListener("click", () => {
      $("prompt").value = text;
      $("prompt").focus();
      countPrompt();
    });
    const item = document.createElement("li");
    item.append(button);
    return item;
  });
  $("starter-list").replaceChildren(...items);
  $("starters").hidden = items.length === 0 || $("transcript").childElementCount > 0;
}

/** Says when the prompt is over the server's limit (the server has the last word). */
function countPrompt() {
  const out = $("prompt-count");
  const limit = settings?.limits.max_prompt_chars;
  const length = [...$("prompt").value.trim()].length;
  out.hidden = !limit || length <= limit;
  if (!out.hidden) out.textContent = `${length} characters; the server takes at most ${limit}.`;
}

// ---- models ----------------------------------------------------------------

const profiles = new Map();

async function loadModels() {
  const select = $("model");
  try {
    const response = await authedFetch("/v1/models");
    if (!response.ok) throw new Error(await errorMessage(response));
    const list = await response.json();
    // Only the models that chat: an embedding model cannot answer a prompt.
    for (const model of list.data.filter((m) => m.kind !== "embedding")) {
      profiles.set(model.id, model);
      const option = document.createElement("option");
      option.value = model.id;
      option.textContent = model.id;
      option.title = model.description || "";
      option.selected = Boolean(model.default);
      select.append(option);
    }
    applyProfile();
  } catch (error) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = "(server default)";
    select.append(option);
    console.warn("model list unavailable:", error.message);
  }
}

function applyProfile() {
  const profile = profiles.get($("model").value);
  if (profile) setDelay(profile.token_delay_ms);
}

/** True once the user moved the delay slider away from the model's own pace. */
let delayChanged = false;

/** Shows a model's own delay; it is not sent unless the user changes it. */
function setDelay(ms) {
  const delay = $("delay");
  const limit = settings ? settings.limits.max_token_delay_ms : Infinity;
  delay.max = String(Math.min(limit, Math.max(DELAY_RANGE_MS, ms)));
  delay.value = String(ms);
  delayChanged = false;
  showDelay();
}

function showDelay() {
  $("delay-value").value = `${$("delay").value} ms`;
}

// ---- chat ------------------------------------------------------------------

let current = null; // { controller, stopped }
let follower = null; // the transcript's Follower

function addMessage(role, text) {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const body = document.createElement("p");
  body.className = "text";
  body.textContent = text;
  item.append(body);
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
  const body = { prompt };
  if (delayChanged) body.token_delay_ms = Number($("delay").value);
  if ($("model").value) body.model = $("model").value;
  const seed = $("seed").value.trim();
  if (seed !== "") body.seed = Number(seed);

  addMessage("user", prompt);
  const reply = addMessage("assistant", "");
  const text = reply.querySelector(".text");
  text.setAttribute("aria-live", "polite");
  const tokens = document.createTextNode("");
  text.append(tokens);
  const stats = document.createElement("p");
  stats.className = "stats";
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
    const error = document.createElement("p");
    error.className = "stats error";
    error.setAttribute("role", "alert");
    error.textContent = message;
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
      for (const event of parser.push(value)) {
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

function setUpChat() {
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
  prompt.addEventListener("input", countPrompt);
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
  $("model").addEventListener("change", applyProfile);
  $("delay").addEventListener("input", () => {
    delayChanged = true;
    showDelay();
  });
  follower = new Follower($("transcript"));
}

// ---- clock -----------------------------------------------------------------

let clock = null;
let tickFollower = null;

function clockStatus(message) {
  $("clock-status").textContent = message;
}

function stopClock(message) {
  if (clock) clock.close();
  clock = null;
  $("clock-start").disabled = false;
  $("clock-stop").disabled = true;
  if (message) clockStatus(message);
}

/** /clock with only the fields the user changed; the server fills in the rest. */
function clockUrl() {
  const params = new URLSearchParams();
  for (const [id, name] of [["clock-interval", "interval_ms"], ["clock-count", "count"]]) {
    const input = $(id);
    if (input.value !== "" && input.value !== input.defaultValue) params.set(name, input.value);
  }
  const query = params.toString();
  return query ? `/clock?${query}` : "/clock";
}

function startClock() {
  stopClock();
  $("ticks").replaceChildren();
  tickFollower.pin();
  const source = new EventSource(clockUrl());
  clock = source;
  let opened = 0;
  let lastId = "";
  $("clock-start").disabled = true;
  $("clock-stop").disabled = false;
  clockStatus("Connecting…");

  source.addEventListener("open", () => {
    opened += 1;
    clockStatus(opened === 1 ? "Connected." : `Reconnected; continuing after tick ${lastId}.`);
  });
  source.addEventListener("message", (event) => {
    lastId = event.lastEventId;
    const item = document.createElement("li");
    const id = document.createElement("span");
    id.className = "tick-id";
    id.textContent = `#${event.lastEventId}`;
    item.append(id, document.createTextNode(event.data));
    $("ticks").append(item);
    tickFollower.follow();
  });
  source.addEventListener("end", (event) => {
    stopClock(`Ended after ${JSON.parse(event.data).ticks} ticks.`);
  });
  source.addEventListener("stream_error", (event) => {
    clockStatus(`Server: ${JSON.parse(event.data).message}`);
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      if (clock === source) stopClock("The server closed the stream.");
    } else {
      clockStatus(`Connection lost; reconnecting after tick ${lastId || "0"}…`);
    }
  });
}

function setUpClock() {
  $("clock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    startClock();
  });
  $("clock-stop").addEventListener("click", () => stopClock("Stopped."));
  tickFollower = new Follower($("ticks"));
}

setUpChat();
setUpClock();
loadSettings();
loadModels();
