// JSON values out of a streamed body, record by record as they complete, the
// way clients read the two JSON framings trickle speaks: NDJSON (Ollama), one
// value per line, and a JSON array streamed element by element (Gemini
// without `?alt=sse`). Each record keeps its raw text, so the records' raws
// put together are the body; `json` is the value's text, to parse.

/** NDJSON: every line is one JSON value; a last line without its LF counts too. */
export class NdjsonParser {
  constructor() {
    this.buffer = "";
    this.lines = 0;
  }

  /** Feeds decoded text; returns the lines it completes. */
  push(text) {
    const records = [];
    this.buffer += text;
    let start = 0;
    for (let end = this.buffer.indexOf("\n"); end !== -1; end = this.buffer.indexOf("\n", start)) {
      records.push(this.record(this.buffer.slice(start, end + 1), false));
      start = end + 1;
    }
    this.buffer = this.buffer.slice(start);
    return records;
  }

  /** The end of the body: a line left without its LF is still a value. */
  end() {
    const rest = this.buffer;
    this.buffer = "";
    return rest === "" ? [] : [this.record(rest, true)];
  }

  record(raw, unterminated) {
    const json = raw.trim();
    if (json === "") return { raw, blank: true };
    this.lines += 1;
    return { raw, line: this.lines, json, unterminated };
  }
}

/**
 * A streamed JSON array: `[`, then values separated by `,` (and whitespace),
 * then `]`. A value ends when the brackets opened in it close again, outside
 * strings; the separator before it travels in its raw text.
 */
export class JsonArrayParser {
  constructor() {
    this.raw = "";
    this.depth = 0; // brackets open inside the current value
    this.inString = false;
    this.escaped = false;
    this.valueStart = 0; // where the value starts in raw
    this.opened = false;
    this.elements = 0;
  }

  /** Feeds decoded text; returns the `[`, elements and `]` it completes. */
  push(text) {
    const records = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.depth > 0) {
        this.scan(c);
        if (this.depth === 0) {
          this.raw += text.slice(from, i + 1);
          from = i + 1;
          this.elements += 1;
          const json = this.raw.slice(this.valueStart);
          records.push({ raw: this.raw, part: "element", index: this.elements, json });
          this.raw = "";
        }
        continue;
      }
      if (!this.opened && c === "[") {
        this.opened = true;
        records.push({ raw: this.raw + text.slice(from, i + 1), part: "open" });
        this.raw = "";
        from = i + 1;
      } else if (this.opened && c === "]") {
        records.push({ raw: this.raw + text.slice(from, i + 1), part: "close" });
        this.raw = "";
        from = i + 1;
        this.opened = false;
      } else if (this.opened && (c === "{" || c === "[")) {
        this.valueStart = this.raw.length + (i - from);
        this.depth = 1;
      }
    }
    this.raw += text.slice(from);
    return records;
  }

  /** The end of the body: whatever is left over, unparsed. */
  end() {
    const raw = this.raw;
    this.raw = "";
    return raw === "" ? [] : [{ raw, part: "rest" }];
  }

  /** Follows strings and brackets inside a value. */
  scan(c) {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === "\\") this.escaped = true;
      else if (c === '"') this.inString = false;
    } else if (c === '"') this.inString = true;
    else if (c === "{" || c === "[") this.depth += 1;
    else if (c === "}" || c === "]") this.depth -= 1;
  }
}
