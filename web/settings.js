// What the page starts from: the server's settings (GET /page/settings.json),
// the model list (GET /v1/models), the token delay, the starter prompts and
// the prompt's length check. A request carries only what the user changed,
// so the server's configuration decides the rest.

import { $, element } from "./dom.js";
import { authedFetch, errorMessage } from "./http.js";

/** The token delay slider's usual range; it stretches to a slower profile. */
const DELAY_RANGE_MS = 200;

/** GET /page/settings.json once loaded: clock, limits, default model, starters. */
let settings = null;
/** The chat models by id, as GET /v1/models lists them. */
const profiles = new Map();
/** True once the user moved the delay slider away from the model's own pace. */
let delayChanged = false;

/** The fields a request sets: the model (if any), a seed the user typed, a delay the user chose. */
export function chosenFields() {
  const seed = $("seed").value.trim();
  return {
    model: $("model").value || null,
    defaultModel: settings?.default_model.id ?? "sim-default",
    seed: seed === "" ? null : Number(seed),
    delay: delayChanged ? Number($("delay").value) : null,
  };
}

export async function loadSettings() {
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
    const button = element("button", "", text);
    button.type = "button";
    button.addEventListener("click", () => {
      $("prompt").value = text;
      $("prompt").focus();
      countPrompt();
    });
    const item = element("li");
    item.append(button);
    return item;
  });
  $("starter-list").replaceChildren(...items);
  $("starters").hidden = items.length === 0 || $("transcript").childElementCount > 0;
}

/** Says when the prompt is over the server's limit (the server has the last word). */
export function countPrompt() {
  const out = $("prompt-count");
  const limit = settings?.limits.max_prompt_chars;
  const length = [...$("prompt").value.trim()].length;
  out.hidden = !limit || length <= limit;
  if (!out.hidden) out.textContent = `${length} characters; the server takes at most ${limit}.`;
}

export async function loadModels() {
  const select = $("model");
  try {
    const response = await authedFetch("/v1/models");
    if (!response.ok) throw new Error(await errorMessage(response));
    const list = await response.json();
    // Only the models that chat: an embedding model cannot answer a prompt.
    for (const model of list.data.filter((m) => m.kind !== "embedding")) {
      profiles.set(model.id, model);
      const option = element("option", "", model.id);
      option.value = model.id;
      option.title = model.description || "";
      option.selected = Boolean(model.default);
      select.append(option);
    }
    applyProfile();
  } catch (error) {
    const option = element("option", "", "(server default)");
    option.value = "";
    select.append(option);
    console.warn("model list unavailable:", error.message);
  }
}

function applyProfile() {
  const profile = profiles.get($("model").value);
  if (profile) setDelay(profile.token_delay_ms);
}

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

/** Wires the model, delay and prompt fields. */
export function setUpFields() {
  $("prompt").addEventListener("input", countPrompt);
  $("model").addEventListener("change", applyProfile);
  $("delay").addEventListener("input", () => {
    delayChanged = true;
    showDelay();
  });
}
