// The page's entry module: sets up each panel, then reads the server's
// settings and model list. Each module has one job:
//
//   dom.js       element helpers (text only, never HTML)
//   http.js      the API key, a fetch that asks for one, error messages
//   settings.js  the server's settings, the model list, the delay, starters
//   follow.js    follow-the-bottom for a growing list
//   sse.js       the event-stream parser
//   chat.js      the transcript and one streamed reply at a time
//   clock.js     the EventSource clock demo

import { setUpChat } from "./chat.js";
import { setUpClock } from "./clock.js";
import { loadModels, loadSettings, setUpFields } from "./settings.js";

setUpFields();
setUpChat();
setUpClock();
loadSettings();
loadModels();
