// Talking to the server: the API key kept for this tab, a fetch that asks
// for one on a 401, and the message of an error answer in any API's shape.

import { $ } from "./dom.js";

const KEY_STORAGE = "trickle.apiKey";

/** The API key given in this tab, or null. */
export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

/** Asks for an API key; resolves true when one was given. */
export function askForKey() {
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

/** fetch with the stored key as a bearer token; on a 401 asks for a key once and retries. */
export async function authedFetch(url, options = {}) {
  const send = () => {
    const key = storedKey();
    const auth = key ? { Authorization: `Bearer ${key}` } : {};
    return fetch(url, { ...options, headers: { ...options.headers, ...auth } });
  };
  let response = await send();
  if (response.status === 401 && (await askForKey())) response = await send();
  return response;
}

/**
 * The message in an error body, whichever API answered: `{"error":{"message"}}`
 * (trickle, OpenAI, Anthropic, Gemini) or `{"error":"…"}` (Ollama).
 */
export function errorText(status, statusText, body) {
  try {
    const error = JSON.parse(body).error;
    if (typeof error === "string" && error) return error;
    if (error && error.message) return error.message;
  } catch (_) { /* not JSON */ }
  return `the server answered ${status} ${statusText}`;
}

/** The message of an error response. */
export async function errorMessage(response) {
  return errorText(response.status, response.statusText, await response.text());
}
