// An incremental event-stream parser, as the HTML standard describes it,
// that also keeps each block's raw text for the wire view.

/**
 * Feed it decoded text as it arrives; it returns one record per block (the
 * lines up to a blank line), in order:
 *
 * - `raw`: the block's text exactly as it arrived, line ends included, so
 *   the records' raws put together are the body;
 * - `event`: what the block dispatches, `{type, data, id}`, or null (no
 *   `data` field: a `retry`, a comment);
 * - `retry`: the reconnection time it sets, or null;
 * - `comments`: how many comment lines it has.
 *
 * As the standard says, lines end with CRLF, LF or CR, `data` lines join
 * with LF, the type defaults to `message`, and the last event id carries over
 * to the events after it.
 */
export class EventStreamParser {
  constructor() {
    this.buffer = "";
    this.sawCR = false;
    this.id = "";
    this.startBlock();
  }

  startBlock() {
    this.raw = "";
    this.data = [];
    this.event = "";
    this.retry = null;
    this.comments = 0;
  }

  /** Feeds decoded text; returns the blocks it completes. */
  push(text) {
    const records = [];
    const chunk = this.buffer + text;
    let start = 0;
    // A CR at the end of the last chunk already ended its line; an LF right
    // after it belongs to that line end (and to the raw text of the next block).
    if (this.sawCR && chunk.startsWith("\n")) {
      this.raw += "\n";
      start = 1;
    }
    this.sawCR = false;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk[i];
      if (c !== "\n" && c !== "\r") continue;
      let end = i + 1;
      if (c === "\r") {
        if (end === chunk.length) this.sawCR = true;
        else if (chunk[end] === "\n") end += 1;
      }
      this.raw += chunk.slice(start, end);
      this.line(chunk.slice(start, i), records);
      start = end;
      i = end - 1;
    }
    this.buffer = chunk.slice(start);
    return records;
  }

  /** The end of the body: an unfinished block is discarded, as the standard says; returns it. */
  end() {
    const raw = this.raw + this.buffer;
    this.buffer = "";
    this.startBlock();
    return raw === "" ? [] : [{ raw, event: null, retry: null, comments: 0, incomplete: true }];
  }

  line(line, records) {
    if (line === "") {
      const event = this.data.length === 0 ? null
        : { type: this.event || "message", data: this.data.join("\n"), id: this.id };
      records.push({ raw: this.raw, event, retry: this.retry, comments: this.comments });
      this.startBlock();
      return;
    }
    if (line.startsWith(":")) {
      this.comments += 1;
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    else if (field === "retry" && /^[0-9]+$/.test(value)) this.retry = Number(value);
  }
}
