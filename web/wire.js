// The wire view: the request the chat sent (method, path, headers with the
// key masked, the body pretty-printed), the response's status and headers,
// then each raw event, line or array element exactly as it arrived, with its
// arrival time in ms since the request started. It keeps the last entries
// only, so a long reply stays fast, and follows the newest like the
// transcript does.

import { $, element } from "./dom.js";
import { Follower } from "./follow.js";

/** How many entries the view keeps; older ones are counted, not shown. */
const LIMIT = 400;
/** What the view shows instead of an API key. */
const MASK = "••••••••";
/** How each framing is named in the request's summary. */
const FRAMINGS = { sse: "event stream", ndjson: "NDJSON", "json-array": "streamed JSON array" };

/** Text with its line ends made visible (CSS draws ␍ and ␊; the text stays as it arrived). */
function rawText(raw, className) {
  const pre = element("pre", className);
  for (const piece of raw.split(/(\r\n|\r|\n)/)) {
    if (piece === "") continue;
    if (piece === "\n" || piece === "\r" || piece === "\r\n") {
      pre.append(element("span", `eol ${piece === "\n" ? "lf" : piece === "\r" ? "cr" : "crlf"}`, piece));
    } else {
      pre.append(document.createTextNode(piece));
    }
  }
  return pre;
}

/** What a record is, in words: which SSE fields a block set, which line or element it is. */
function describe(record) {
  if (record.whole) return "the whole body";
  if (record.part === "open") return "[ opens the array";
  if (record.part === "close") return "] closes the array";
  if (record.part === "element") return `element ${record.index}`;
  if (record.part === "rest") return "after the array: not read";
  if (record.blank) return "blank line";
  if (record.line) return `line ${record.line}${record.unterminated ? ", no LF at the end" : ""}`;
  if (record.incomplete) return "unfinished at the end of the body: discarded";
  const fields = [];
  if (record.event) {
    fields.push(`event ${record.event.type}`);
    if (record.event.id) fields.push(`id ${record.event.id}`);
  }
  if (record.retry !== null) fields.push(`retry ${record.retry}`);
  if (!record.event) fields.push(record.comments > 0 ? "comment, no event" : "no data, no event");
  return fields.join(" · ");
}

export class WireView {
  constructor() {
    this.box = $("wire");
    this.entries = $("wire-entries");
    this.follower = new Follower(this.box);
    this.dropped = 0;
  }

  /** A new exchange: clears the view and shows the request. The key never shows. */
  start(api, request, key) {
    this.dropped = 0;
    $("wire-dropped").hidden = true;
    $("wire-end").hidden = true;
    this.entries.replaceChildren();
    const head = element("p", "wire-head");
    head.append(element("span", "wire-dir", "→"),
      element("strong", "", `${request.method} ${request.path}`),
      element("span", "wire-note", `${api.label} · ${FRAMINGS[api.framing]}`));
    const headers = Object.entries(request.headers)
      .map(([name, value]) => `${name}: ${key ? value.replaceAll(key, MASK) : value}`).join("\n");
    const section = $("wire-request");
    section.replaceChildren(head, element("pre", "wire-headers", headers),
      element("pre", "wire-body", JSON.stringify(request.body, null, 2)));
    section.hidden = false;
    $("wire-response").hidden = true;
    $("wire-hint").hidden = true;
    this.follower.pin();
  }

  /** The response's status line and headers, when they arrived. */
  response(response, ms) {
    const head = element("p", "wire-head");
    head.append(element("span", "wire-dir", "←"),
      element("strong", response.ok ? "" : "error", `${response.status} ${response.statusText}`),
      element("span", "wire-time", `${ms} ms`));
    const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
    const section = $("wire-response");
    section.replaceChildren(head, element("pre", "wire-headers", headers));
    section.hidden = false;
    this.follower.follow();
  }

  /** Records that arrived together, at `ms`; only the last LIMIT entries stay. */
  records(records, ms) {
    if (records.length === 0) return;
    const shown = records.slice(-LIMIT);
    this.dropped += records.length - shown.length;
    const fragment = document.createDocumentFragment();
    for (const record of shown) {
      const item = element("li", "wire-entry");
      const meta = element("p", "wire-meta");
      meta.append(element("span", "wire-time", `${ms} ms`), element("span", "wire-kind", describe(record)));
      item.append(meta, rawText(record.raw, "wire-raw"));
      fragment.append(item);
    }
    this.entries.append(fragment);
    for (let extra = this.entries.childElementCount - LIMIT; extra > 0; extra--) {
      this.entries.firstElementChild.remove();
      this.dropped += 1;
    }
    if (this.dropped > 0) {
      const note = $("wire-dropped");
      note.textContent = `${this.dropped} earlier entries not shown: the view keeps the last ${LIMIT}.`;
      note.hidden = false;
    }
    this.follower.follow();
  }

  /** The end of the exchange: the body ended, the request was stopped or failed. */
  finish(what, ms) {
    const end = $("wire-end");
    end.replaceChildren(element("span", "wire-time", `${ms} ms`), document.createTextNode(what));
    end.hidden = false;
    this.follower.follow();
  }
}
