// The page's entry module: sets up each panel, then reads the server's
// settings and model list. Each module has one job:
//
//   dom.js         element helpers (text only, never HTML)
//   http.js        the API key, a fetch that asks for one, error messages
//   settings.js    the server's settings, the model list, the delay, starters
//   follow.js      follow-the-bottom for a growing list
//   sse.js         the event-stream parser
//   json-stream.js the NDJSON and streamed-JSON-array parsers
//   apis.js        one adapter per API: its request, its framing, its text
//   exchange.js    one request and its streamed reply, for any API
//   wire.js        the wire view: the request and the raw reply as it arrives
//   chat.js        the transcript, the API picker and one reply at a time
//   clock.js       the EventSource clock demo

import { setUpChat } from "./chat.js";
import { setUpClock } from "./clock.js";
import { loadModels, loadSettings, setUpFields } from "./settings.js";

setUpFields();
setUpChat();
setUpClock();
loadSettings();
loadModels();
