// The clock panel: EventSource on GET /clock, on purpose, to show the
// browser's own reconnect with Last-Event-ID and resume.

import { $, element } from "./dom.js";
import { Follower } from "./follow.js";

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
    const item = element("li");
    item.append(element("span", "tick-id", `#${event.lastEventId}`), document.createTextNode(event.data));
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

export function setUpClock() {
  $("clock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    startClock();
  });
  $("clock-stop").addEventListener("click", () => stopClock("Stopped."));
  tickFollower = new Follower($("ticks"));
}
