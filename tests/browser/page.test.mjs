// End-to-end tests of the chat page in headless Chromium.
// Usage: node page.test.mjs BASE_URL [SCREENSHOT_DIR]
// Prints one `ok - …` or `not ok - …` line per check (tests/browser.rs counts
// them) and exits non-zero when one failed. A group of checks that throws is
// one failure and the next group still runs. The server must run with
// clock.interval_ms = 300, clock.count = 4, limits.max_clock_interval_ms =
// 30000 and limits.max_clock_count = 500, as tests/browser.rs starts it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, shots = "target/browser"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node page.test.mjs BASE_URL [SCREENSHOT_DIR]");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const TIMEOUT = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let failures = 0;

function check(ok, what) {
  if (!ok) failures += 1;
  console.log(`${ok ? "ok" : "not ok"} - ${what}`);
}

/** Runs a group of checks; if it throws, that is one failure and the suite goes on. */
async function group(name, fn) {
  try {
    await fn();
  } catch (error) {
    check(false, `${name}: ${error.message.split("\n")[0]}`);
  }
}

async function poll(what, fn, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function openStreams() {
  const response = await fetch(`${base}/healthz`);
  return (await response.json()).open_streams.chat;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

/** A fresh page, loaded and settled (model list and settings fetched). */
async function openPage(viewport = DESKTOP) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base, { waitUntil: "networkidle" });
  await poll("the model list", async () => (await page.locator("#model option").count()) >= 4);
  return { page, errors };
}

const assistants = (page) => page.locator(".message.assistant");
const lastText = (page) => assistants(page).last().locator(".text").textContent();
const streaming = async (page) => (await assistants(page).last().getAttribute("class")).includes("streaming");
const finished = (page) => poll("the reply to finish", async () => !(await streaming(page)));

async function send(page, prompt, { model = "sim-echo", delay = 0, api = null } = {}) {
  if (api) await page.selectOption("#api", api);
  await page.selectOption("#model", model);
  await page.$eval("#delay", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("input")); }, delay);
  await page.fill("#prompt", prompt);
  await page.press("#prompt", "Enter");
}

/** A reply long enough to overflow the transcript, in distinct lines. */
function longText(lines, tag) {
  return Array.from({ length: lines }, (_, i) =>
    `${tag}, line ${i + 1}: the newest tokens should stay in view while they stream in.`).join("\n");
}

/**
 * Whether `target` lies inside the viewport and inside every scrolling box
 * around it. `target` is "last token" (the last visible character of the
 * newest reply) or a CSS selector. Returns { ok, why }.
 */
function inView(page, target) {
  return page.evaluate((target) => {
    let rect;
    let element;
    if (target === "last token") {
      const texts = document.querySelectorAll(".message.assistant .text");
      element = texts[texts.length - 1];
      if (!element) return { ok: false, why: "no reply" };
      let node = null;
      let offset = -1;
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.data.search(/\S\s*$/u);
        if (i !== -1) { node = n; offset = i; }
      }
      if (!node) return { ok: false, why: "no text yet", empty: true };
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + (node.data.codePointAt(offset) > 0xffff ? 2 : 1));
      rect = range.getBoundingClientRect();
    } else {
      element = document.querySelector(target);
      if (!element) return { ok: false, why: `no ${target}` };
      rect = element.getBoundingClientRect();
    }
    const inside = (b) => rect.top >= b.top - 1 && rect.bottom <= b.bottom + 1
      && rect.left >= b.left - 1 && rect.right <= b.right + 1;
    const outside = [];
    for (let el = element.parentElement; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (!/auto|scroll|hidden|clip/.test(style.overflowX + style.overflowY)) continue;
      const b = el.getBoundingClientRect();
      const top = b.top + el.clientTop;
      const left = b.left + el.clientLeft;
      const client = { top, left, bottom: top + el.clientHeight, right: left + el.clientWidth };
      if (!inside(client)) outside.push(`#${el.id || el.tagName} ${JSON.stringify(client)}`);
    }
    const root = document.documentElement;
    if (!inside({ top: 0, left: 0, bottom: root.clientHeight, right: root.clientWidth })) {
      outside.push(`the viewport ${root.clientWidth}×${root.clientHeight}`);
    }
    const where = `${Math.round(rect.top)}..${Math.round(rect.bottom)}`;
    const ok = rect.height > 0 && outside.length === 0;
    return { ok, why: ok ? "" : `${target} at y ${where} is outside ${outside.join(", ") || "(zero size)"}` };
  }, target);
}

/**
 * Samples "last token" while the newest reply streams and `more()` says go
 * on (default: until it finishes). Returns the samples taken and the first
 * one that was out of view.
 */
async function sampleWhileStreaming(page, more = async () => streaming(page)) {
  let samples = 0;
  let bad = null;
  while (await more()) {
    const view = await inView(page, "last token");
    if (view.empty) continue;
    samples += 1;
    if (!view.ok && !bad) bad = view.why;
  }
  return { samples, bad };
}

/** Checks that the newest reply's end and stats, the prompt box and Send are in view. */
async function checkEverythingInView(page, when) {
  for (const [target, name] of [
    ["last token", "the last token"],
    ["#transcript > li:last-child .stats", "the last stats line"],
    ["#prompt", "the prompt box"],
    ["#send", "Send"],
  ]) {
    const view = await inView(page, target);
    check(view.ok, `${when}: ${name} is in view${view.ok ? "" : ` (${view.why})`}`);
  }
}

async function existingFlow() {
  const { page, errors } = await openPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  const clockRequests = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/clock") clockRequests.push(r.url()); });

  check(errors.length === 0, `the page loads with no console errors ${JSON.stringify(errors)}`);
  check(await page.$eval("#model", (el) => el.value) === "sim-default", "the default model is selected");
  const models = await page.$$eval("#model option", (options) => options.map((o) => o.value));
  check(!models.includes("sim-embed"), `the model list offers only models that chat (${models})`);

  await group("streaming", async () => {
    const prompt = "Hello from a real browser 👋🏽\n  an indented line\n\nand ünïcödé 漢字 at the end";
    await send(page, prompt, { delay: 60 });
    const partial = await poll("partial text", async () => {
      const text = await lastText(page);
      return text.length > 3 && text.length < prompt.length ? text : null;
    });
    await page.screenshot({ path: join(shots, "mid-stream.png") });
    check(prompt.startsWith(partial), "the DOM shows partial text while the reply streams");
    await finished(page);
    check(await lastText(page) === prompt, "the finished reply is exactly the text sent");
    const stats = await assistants(page).last().locator(".stats").first().textContent();
    check(/TTFT \d+ ms/.test(stats) && /tokens\/s/.test(stats) && /seed \d+/.test(stats), `stats show TTFT, rate and seed: ${stats}`);
  });

  await group("Shift+Enter", async () => {
    const before = await assistants(page).count();
    await page.fill("#prompt", "line one");
    await page.press("#prompt", "Shift+Enter");
    check(await page.$eval("#prompt", (el) => el.value) === "line one\n", "Shift+Enter adds a newline");
    check(await assistants(page).count() === before, "Shift+Enter does not send");
    await page.fill("#prompt", "");
  });

  await group("Stop", async () => {
    await send(page, "word ".repeat(300), { delay: 100 });
    await poll("a few tokens", async () => (await lastText(page)).length > 5);
    check(await openStreams() === 1, "one chat stream is open on the server while it streams");
    await page.click("#stop");
    await poll("the stop notice", async () => (await assistants(page).last().textContent()).includes("Stopped."));
    await poll("the server to drop the stream", async () => (await openStreams()) === 0, 10_000);
    check(true, "Stop halts the stream and the server's open chat streams return to 0");
  });

  await group("HTML as text", async () => {
    const xss = "<img src=x onerror=alert(1)>";
    await send(page, xss);
    await finished(page);
    check(await lastText(page) === xss, "an HTML prompt is rendered literally");
    check(await page.locator(".transcript img").count() === 0 && dialogs.length === 0, "no element is created and no dialog fires");
  });

  await group("errors", async () => {
    await page.fill("#prompt", "x".repeat(8001));
    const count = page.locator("#prompt-count");
    const counted = (await count.isVisible()) ? await count.textContent() : "(nothing shown)";
    check(/8001.*8000/.test(counted), `an over-long prompt is counted against the server's limit: ${counted}`);
    await send(page, "x".repeat(8001));
    await poll("the error", async () => (await assistants(page).last().locator(".error").count()) > 0);
    const error = await assistants(page).last().locator(".error").textContent();
    check(error.includes("limits.max_prompt_chars"), `an over-long prompt shows the server's message: ${error}`);
  });

  await group("clock with overrides", async () => {
    await page.fill("#clock-interval", "50");
    await page.fill("#clock-count", "5");
    await page.click("#clock-start");
    await poll("the end of the clock", async () => (await page.textContent("#clock-status")).startsWith("Ended"));
    const ticks = await page.locator("#ticks li").allTextContents();
    check(ticks.length === 5 && ticks.every((t, i) => t.startsWith(`#${i + 1}`)), `exactly 5 ticks with ids 1..5: ${JSON.stringify(ticks)}`);
    await page.waitForTimeout(1500);
    check(clockRequests.length === 1, `no new /clock request after the end (${clockRequests.length} made)`);
  });

  await group("phone layout", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    check(!overflow, "no horizontal overflow on a phone-sized screen");
    await page.screenshot({ path: join(shots, "phone.png"), fullPage: true });
  });
  await page.close();
}

async function fieldsFromServer() {
  const { page } = await openPage();
  const requests = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/clock") requests.push(r.url()); });
  const chats = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/chat") chats.push(JSON.parse(r.postData())); });
  const fields = await page.evaluate(() => {
    const [interval, count] = ["clock-interval", "clock-count"].map((id) => document.getElementById(id));
    return { interval: interval.value, count: count.value, min: interval.min, max: interval.max, maxCount: count.max };
  });
  check(fields.interval === "300" && fields.count === "4",
    `the clock fields start from clock.interval_ms and clock.count: ${JSON.stringify(fields)}`);
  check(fields.min === "10" && fields.max === "30000" && fields.maxCount === "500",
    `the clock fields' bounds are the server's limits: ${JSON.stringify(fields)}`);

  await page.click("#clock-start");
  await poll("the end of the clock", async () => (await page.textContent("#clock-status")).startsWith("Ended"));
  const ticks = await page.locator("#ticks li").allTextContents();
  check(ticks.length === 4 && ticks.every((t, i) => t.startsWith(`#${i + 1}`)),
    `a server with clock.count = 4 shows exactly 4 ticks: ${JSON.stringify(ticks)}`);
  check(requests.length === 1 && new URL(requests[0]).search === "",
    `unchanged fields send no override: ${JSON.stringify(requests)}`);

  await page.fill("#clock-count", "2");
  await page.click("#clock-start");
  await poll("the end of the second clock", async () => (await page.textContent("#clock-status")).startsWith("Ended after 2"));
  check(requests.length === 2 && new URL(requests[1]).search === "?count=2",
    `a changed field is the only override sent: ${JSON.stringify(requests)}`);

  const delay = await page.textContent("#delay-value");
  await page.fill("#prompt", "hi");
  await page.press("#prompt", "Enter");
  await poll("the chat request", async () => chats.length === 1);
  check(delay === "20 ms" && !("token_delay_ms" in chats[0]),
    `an untouched token delay shows the model's own (${delay}) and is not sent: ${JSON.stringify(chats[0])}`);
  await finished(page);
  await page.close();
}

async function starters() {
  const { page } = await openPage();
  const settings = await (await fetch(`${base}/page/settings.json`)).json();
  const shown = await page.locator("#starters button").allTextContents();
  check(shown.length > 0 && JSON.stringify(shown) === JSON.stringify(settings.starters),
    `the empty chat offers the server's starter prompts: ${JSON.stringify(shown)}`);
  await page.getByRole("button", { name: "who are you", exact: true }).click();
  const filled = await page.evaluate(() => ({
    value: document.getElementById("prompt").value,
    focused: document.activeElement.id,
  }));
  check(filled.value === "who are you" && filled.focused === "prompt",
    `clicking a starter fills the prompt box and focuses it: ${JSON.stringify(filled)}`);
  await page.$eval("#delay", (el) => { el.value = "0"; el.dispatchEvent(new Event("input")); });
  await page.press("#prompt", "Enter");
  await finished(page);
  check((await lastText(page)).startsWith("I'm trickle"), "the starter gets its canned reply");
  check(await page.locator("#starters").isHidden(), "the starters go once the chat has begun");
  await page.close();
}

async function followsTheReply() {
  const { page } = await openPage();
  let samples = 0;
  let bad = null;
  for (let i = 1; i <= 10; i++) {
    await send(page, longText(12, `Reply ${i}`), { delay: 1 });
    const run = await sampleWhileStreaming(page);
    samples += run.samples;
    bad = bad || (run.bad && `reply ${i}: ${run.bad}`);
  }
  check(!bad, `the newest token stays in view while ten long replies stream (${samples} samples)${bad ? `: ${bad}` : ""}`);
  await checkEverythingInView(page, "after ten long replies at 1280×800");
  await page.screenshot({ path: join(shots, "desktop-long.png") });

  await group("scrolling up", async () => {
    await send(page, longText(80, "A very long reply"), { delay: 20 });
    await poll("a few lines", async () => (await lastText(page)).length > 400);
    await page.screenshot({ path: join(shots, "following.png") });
    const box = await page.locator("#transcript").boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const gap = () => page.$eval("#transcript", (el) => el.scrollHeight - el.clientHeight - el.scrollTop);
    const top = () => page.$eval("#transcript", (el) => el.scrollTop);
    await page.mouse.wheel(0, -600);
    await poll("the transcript to scroll up", async () => (await gap()) > 300);
    await page.waitForTimeout(300); // the wheel's smooth scroll settles
    const [scrolled, length] = [await top(), (await lastText(page)).length];
    await poll("more tokens", async () => (await lastText(page)).length > length + 100);
    const stayed = await top();
    const view = await inView(page, "last token");
    check(Math.abs(stayed - scrolled) <= 1 && !view.ok,
      `scrolled up, the transcript stays where the reader is while tokens arrive (${scrolled} → ${stayed})`);

    await page.mouse.wheel(0, 100_000);
    await poll("the bottom", async () => (await gap()) < 30);
    const back = (await lastText(page)).length;
    const run = await sampleWhileStreaming(page, async () => (await lastText(page)).length < back + 300);
    check(!run.bad, `back at the bottom, it follows again (${run.samples} samples)${run.bad ? `: ${run.bad}` : ""}`);
    await page.click("#stop");
    await finished(page);
  });
  await checkEverythingInView(page, "after a stopped reply at 1280×800");
  await page.close();
}

async function followsOnAPhone() {
  const { page } = await openPage(PHONE);
  let bad = null;
  for (let i = 1; i <= 4; i++) {
    await send(page, longText(8, `Phone reply ${i}`), { delay: 1 });
    const run = await sampleWhileStreaming(page);
    bad = bad || (run.bad && `reply ${i}: ${run.bad}`);
  }
  check(!bad, `the newest token stays in view while long replies stream on a phone${bad ? `: ${bad}` : ""}`);
  await checkEverythingInView(page, "after four long replies at 390×844");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, "no horizontal overflow at 390×844 after long replies");
  await page.screenshot({ path: join(shots, "phone-long.png") });
  await page.close();
}

// ---- the wire view ----------------------------------------------------------

/** The data of an event-stream block, as the standard joins its `data` lines. */
function sseData(raw) {
  const data = raw.split(/\r\n|\r|\n/).filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).replace(/^ /, ""));
  return data.length === 0 ? null : data.join("\n");
}

/** The wire view: the request as shown, the response's head, and every entry's time, kind and raw text. */
function readWire(page) {
  return page.evaluate(() => {
    const q = (selector) => document.querySelector(selector);
    const ms = (el) => Number(el.textContent.replace(/ ms$/, ""));
    return {
      request: q("#wire-request .wire-head strong").textContent,
      headers: q("#wire-request .wire-headers").textContent,
      body: JSON.parse(q("#wire-request .wire-body").textContent),
      status: q("#wire-response .wire-head strong").textContent,
      responseHeaders: q("#wire-response .wire-headers").textContent,
      dropped: q("#wire-dropped").hidden ? "" : q("#wire-dropped").textContent,
      end: q("#wire-end").hidden ? null : { ms: ms(q("#wire-end .wire-time")), what: q("#wire-end").textContent },
      entries: [...document.querySelectorAll("#wire-entries > li")].map((li) => ({
        ms: ms(li.querySelector(".wire-time")),
        kind: li.querySelector(".wire-kind").textContent,
        raw: li.querySelector(".wire-raw").textContent,
      })),
    };
  });
}

const WIRE_PROMPT = "Wire check 👋🏽\n  line two: ünïcödé 漢字 <b>not bold</b>";
const json = (raw) => JSON.parse(sseData(raw));
const kinds = (entries) => entries.map((e) => e.kind.split(" · ")[0]);

/**
 * Per API: its path, what its request body must hold, the text a client
 * reads out of the raw entries (independently of the page's own code), and
 * the shape of its wire.
 */
const FORMATS = [
  {
    api: "chat",
    path: "/chat",
    body: (b) => b.prompt === WIRE_PROMPT && b.model === "sim-echo",
    text: (entries) => entries.filter((e) => e.kind.startsWith("event message")).map((e) => sseData(e.raw)).join(""),
    shape: (entries) => /^retry: \d+\n\n$/.test(entries[0].raw) && entries[0].kind.includes("no event")
      && entries[1].raw.startsWith("event: meta\ndata: {")
      && entries.slice(2, -1).every((e) => /^id: \S+\ndata: /.test(e.raw) && e.raw.endsWith("\n\n"))
      && /^id: \S+\nevent: done\ndata: \{.*\}\n\n$/.test(entries.at(-1).raw),
  },
  {
    api: "openai",
    path: "/v1/chat/completions",
    body: (b) => b.stream === true && b.stream_options?.include_usage === true
      && b.model === "sim-echo" && b.messages[0].role === "user" && b.messages[0].content === WIRE_PROMPT,
    text: (entries) => entries.slice(0, -1).map((e) => json(e.raw).choices[0]?.delta.content ?? "").join(""),
    shape: (entries) => entries.every((e) => /^data: .*\n\n$/s.test(e.raw))
      && json(entries[0].raw).choices[0].delta.role === "assistant"
      && json(entries.at(-2).raw).choices.length === 0 && json(entries.at(-2).raw).usage.completion_tokens > 0
      && entries.at(-1).raw === "data: [DONE]\n\n",
  },
  {
    api: "responses",
    path: "/v1/responses",
    body: (b) => b.stream === true && b.input === WIRE_PROMPT,
    text: (entries) => entries.map((e) => json(e.raw))
      .filter((d) => d.type === "response.output_text.delta").map((d) => d.delta).join(""),
    shape: (entries) => kinds(entries)[0] === "event response.created" && kinds(entries).at(-1) === "event response.completed"
      && entries.every((e, i) => json(e.raw).sequence_number === i),
  },
  {
    api: "anthropic",
    path: "/v1/messages",
    body: (b) => b.stream === true && b.max_tokens > 0 && b.messages[0].content === WIRE_PROMPT,
    text: (entries) => entries.map((e) => json(e.raw))
      .filter((d) => d.type === "content_block_delta").map((d) => d.delta.text).join(""),
    shape: (entries) => kinds(entries)[0] === "event message_start" && kinds(entries).at(-1) === "event message_stop"
      && entries.every((e) => e.raw.startsWith(`${e.kind.split(" · ")[0].replace("event ", "event: ")}\ndata: `)),
  },
  {
    api: "gemini-sse",
    path: "/v1beta/models/sim-echo:streamGenerateContent?alt=sse",
    body: (b) => b.contents[0].parts[0].text === WIRE_PROMPT,
    text: (entries) => entries.map((e) => json(e.raw).candidates[0].content.parts[0].text).join(""),
    shape: (entries) => entries.every((e) => e.raw.startsWith("data: {") && e.raw.endsWith("}\r\n\r\n"))
      && json(entries.at(-1).raw).candidates[0].finishReason === "STOP",
  },
  {
    api: "gemini-array",
    path: "/v1beta/models/sim-echo:streamGenerateContent",
    body: (b) => b.contents[0].parts[0].text === WIRE_PROMPT,
    // The raw entries put together are the body: one JSON document.
    text: (entries) => JSON.parse(entries.map((e) => e.raw).join(""))
      .map((o) => o.candidates[0].content.parts[0].text).join(""),
    shape: (entries) => entries[0].raw === "[" && entries.at(-1).raw === "]"
      && entries.slice(1, -1).every((e, i) => e.kind === `element ${i + 1}`
        && (i === 0 ? e.raw.startsWith("{") : e.raw.startsWith(",\r\n{"))),
  },
  {
    api: "ollama",
    path: "/api/chat",
    body: (b) => b.model === "sim-echo" && b.messages[0].content === WIRE_PROMPT,
    text: (entries) => entries.map((e) => JSON.parse(e.raw).message.content).join(""),
    shape: (entries) => entries.every((e, i) => e.kind === `line ${i + 1}` && e.raw.indexOf("\n") === e.raw.length - 1)
      && entries.slice(0, -1).every((e) => JSON.parse(e.raw).done === false)
      && JSON.parse(entries.at(-1).raw).done === true,
  },
  {
    api: "ai-sdk",
    path: "/ai-sdk/chat",
    body: (b) => b.trigger === "submit-message" && b.messages[0].role === "user"
      && b.messages[0].parts[0].type === "text" && b.messages[0].parts[0].text === WIRE_PROMPT,
    text: (entries) => entries.slice(0, -1).map((e) => json(e.raw))
      .filter((d) => d.type === "text-delta").map((d) => d.delta).join(""),
    shape: (entries) => json(entries[0].raw).type === "start" && json(entries.at(-2).raw).type === "finish"
      && entries.at(-1).raw === "data: [DONE]\n\n",
  },
];

async function wireFormats() {
  const { page, errors } = await openPage();
  const sent = [];
  page.on("request", (r) => { if (r.method() === "POST") sent.push(r); });
  check(await page.$eval("#api", (el) => el.value) === "chat", "the API picker starts on trickle's own /chat");
  for (const format of FORMATS) {
    await group(`the wire of ${format.api}`, async () => {
      sent.length = 0;
      await send(page, WIRE_PROMPT, { api: format.api });
      await finished(page);
      await poll("the end of the body", async () => (await readWire(page)).end);
      const wire = await readWire(page);
      const request = sent.at(-1);
      const url = new URL(request.url());
      check(wire.request === `POST ${format.path}` && url.pathname + url.search === format.path,
        `${format.api}: the wire shows the request line it sent: ${wire.request}`);
      check(JSON.stringify(wire.body) === JSON.stringify(JSON.parse(request.postData())) && format.body(wire.body),
        `${format.api}: the wire shows the body it sent, and it is what the API's clients send: ${JSON.stringify(wire.body)}`);
      check(wire.status === "200 OK" && /content-type: (text\/event-stream|application\/x-ndjson|application\/json)/.test(wire.responseHeaders),
        `${format.api}: the wire shows the response's status and headers: ${wire.status}`);
      const times = wire.entries.map((e) => e.ms);
      check(wire.entries.length > 2 && times.every((t, i) => Number.isInteger(t) && t >= (times[i - 1] ?? 0))
        && wire.end.ms >= times.at(-1) && wire.end.what.includes("end of body"),
        `${format.api}: ${wire.entries.length} entries, each with its arrival time, in order (${times[0]}…${times.at(-1)} ms)`);
      check(format.shape(wire.entries), `${format.api}: the raw entries are the API's wire as it arrived: `
        + JSON.stringify(wire.entries.slice(0, 2).concat(wire.entries.slice(-1)).map((e) => [e.kind, e.raw.slice(0, 80)])));
      const fromWire = format.text(wire.entries);
      check(fromWire === WIRE_PROMPT, `${format.api}: the text read out of the raw entries is the echo: ${JSON.stringify(fromWire)}`);
      const chat = await lastText(page);
      check(chat === WIRE_PROMPT, `${format.api}: the chat shows exactly the echoed text: ${JSON.stringify(chat)}`);
    });
  }
  check(errors.length === 0, `no console errors across every API ${JSON.stringify(errors)}`);
  await page.close();
}

async function wireKeysAndErrors() {
  const { page, errors } = await openPage();
  const key = "sk-wire-secret-7";
  await page.evaluate((k) => sessionStorage.setItem("trickle.apiKey", k), key);
  const headers = [];
  page.on("request", (r) => { if (r.method() === "POST") headers.push(r.headers()); });
  for (const [api, name] of [["openai", "Authorization: Bearer "], ["anthropic", "x-api-key: "], ["gemini-sse", "x-goog-api-key: "]]) {
    await send(page, "hi", { api });
    await finished(page);
    const wire = await readWire(page);
    const sentKey = Object.values(headers.at(-1)).some((v) => v.includes(key));
    const shown = (await page.textContent("body")).includes(key);
    check(sentKey && wire.headers.includes(`${name}••••••••`) && !shown,
      `${api}: the key is sent but the wire shows it masked: ${JSON.stringify(wire.headers)}`);
  }
  await page.evaluate(() => sessionStorage.removeItem("trickle.apiKey"));
  check(errors.length === 0, `no console errors with a key ${JSON.stringify(errors)}`);

  // (Chromium logs every 4xx fetch as a console error, so none are counted after this.)
  await send(page, "x".repeat(8001), { api: "openai" });
  await poll("the error", async () => (await assistants(page).last().locator(".error").count()) > 0);
  await poll("the end of the body", async () => (await readWire(page)).end);
  const error = await assistants(page).last().locator(".error").textContent();
  const wire = await readWire(page);
  const body = wire.entries.length === 1 ? JSON.parse(wire.entries[0].raw) : null;
  check(/^4\d\d /.test(wire.status) && wire.entries[0]?.kind === "the whole body" && body?.error?.message === error,
    `an error answer shows its status (${wire.status}) and whole body on the wire, and its message in the chat: ${error}`);
  await page.close();
}

async function wireLongReply() {
  const { page, errors } = await openPage();
  await send(page, longText(14, "A long reply on the wire"), { delay: 1 });
  let samples = 0;
  let bad = null;
  while (await streaming(page)) {
    const view = await inView(page, "#wire-entries > li:last-child");
    if (view.why === "no #wire-entries > li:last-child") continue;
    samples += 1;
    if (!view.ok && !bad) bad = view.why;
  }
  check(!bad && samples > 0, `the wire view follows the newest entry while a long reply streams (${samples} samples)${bad ? `: ${bad}` : ""}`);
  await poll("the end of the body", async () => (await readWire(page)).end);
  const wire = await readWire(page);
  const dropped = Number(/^(\d+) earlier entries not shown/.exec(wire.dropped)?.[1]);
  check(wire.entries.length === 400 && dropped > 0 && wire.entries.at(-1).kind.startsWith("event done"),
    `a long reply keeps the last 400 entries and counts the rest: ${wire.dropped}`);
  check(await lastText(page) === longText(14, "A long reply on the wire"), "the chat shows the whole long reply");
  await page.screenshot({ path: join(shots, "wire-desktop.png") });

  await page.setViewportSize(PHONE);
  await page.reload({ waitUntil: "networkidle" });
  await poll("the model list", async () => (await page.locator("#model option").count()) >= 4);
  await send(page, longText(8, "A long reply on a phone"), { api: "ollama" });
  await finished(page);
  await poll("the end of the body", async () => (await readWire(page)).end);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, "no horizontal overflow at 390×844 with the wire view filled");
  await checkEverythingInView(page, "after a long Ollama reply at 390×844");
  await page.screenshot({ path: join(shots, "wire-phone-chat.png") });
  await page.getByRole("link", { name: "The wire, below ↓" }).click();
  await poll("the wire view in view", async () => (await inView(page, "#wire-title")).ok, 5_000);
  const last = await inView(page, "#wire-entries > li:last-child");
  check(last.ok, `on a phone the wire view sits below the chat; its link brings it and its newest line into view${last.ok ? "" : `: ${last.why}`}`);
  await page.screenshot({ path: join(shots, "wire-phone.png") });
  check(errors.length === 0, `no console errors with long replies on the wire ${JSON.stringify(errors)}`);
  await page.close();
}

for (const [name, run] of [
  ["the chat and clock", existingFlow],
  ["the fields from the server's settings", fieldsFromServer],
  ["starter prompts", starters],
  ["following the reply at 1280×800", followsTheReply],
  ["following the reply at 390×844", followsOnAPhone],
  ["the wire view, for every API", wireFormats],
  ["the wire view: keys and errors", wireKeysAndErrors],
  ["the wire view: long replies", wireLongReply],
]) {
  await group(name, run);
}
await browser.close();
process.exit(failures === 0 ? 0 : 1);
