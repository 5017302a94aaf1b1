// End-to-end tests of the chat page in headless Chromium.
// Usage: node page.test.mjs BASE_URL [SCREENSHOT_DIR]
// Prints one `ok - …` or `not ok - …` line per check (tests/browser.rs counts
// them) and exits non-zero when one failed.
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
let failures = 0;

function check(ok, what) {
  if (ok) {
    console.log(`ok - ${what}`);
  } else {
    failures += 1;
    console.log(`not ok - ${what}`);
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

try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  const clockRequests = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/clock") clockRequests.push(r.url()); });

  const assistants = page.locator(".message.assistant");
  const lastText = () => assistants.last().locator(".text").textContent();
  const send = async (prompt, { model = "sim-echo", delay = 0 } = {}) => {
    await page.selectOption("#model", model);
    await page.$eval("#delay", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("input")); }, delay);
    await page.fill("#prompt", prompt);
    await page.press("#prompt", "Enter");
  };
  const finished = () => poll("the reply to finish", async () => (await assistants.last().getAttribute("class")).indexOf("streaming") === -1);

  // Load.
  await page.goto(base);
  await poll("the model list", async () => (await page.locator("#model option").count()) >= 4);
  check(consoleErrors.length === 0, `the page loads with no console errors ${JSON.stringify(consoleErrors)}`);
  check(await page.$eval("#model", (el) => el.value) === "sim-default", "the default model is selected");

  // A reply streams token by token, then equals the exact text.
  const prompt = "Hello from a real browser 👋🏽\n  an indented line\n\nand ünïcödé 漢字 at the end";
  await send(prompt, { delay: 60 });
  const partial = await poll("partial text", async () => {
    const text = await lastText();
    return text.length > 3 && text.length < prompt.length ? text : null;
  });
  await page.screenshot({ path: join(shots, "mid-stream.png") });
  check(prompt.startsWith(partial), "the DOM shows partial text while the reply streams");
  await finished();
  check(await lastText() === prompt, "the finished reply is exactly the text sent");
  const stats = await assistants.last().locator(".stats").first().textContent();
  check(/TTFT \d+ ms/.test(stats) && /tokens\/s/.test(stats) && /seed \d+/.test(stats), `stats show TTFT, rate and seed: ${stats}`);

  // Shift+Enter makes a newline instead of sending.
  const before = await assistants.count();
  await page.fill("#prompt", "line one");
  await page.press("#prompt", "Shift+Enter");
  check(await page.$eval("#prompt", (el) => el.value) === "line one\n", "Shift+Enter adds a newline");
  check(await assistants.count() === before, "Shift+Enter does not send");
  await page.fill("#prompt", "");

  // Stop ends the stream on the server too.
  await send("word ".repeat(300), { delay: 100 });
  await poll("a few tokens", async () => (await lastText()).length > 5);
  check(await openStreams() === 1, "one chat stream is open on the server while it streams");
  await page.click("#stop");
  await poll("the stop notice", async () => (await assistants.last().textContent()).includes("Stopped."));
  await poll("the server to drop the stream", async () => (await openStreams()) === 0, 10_000);
  check(true, "Stop halts the stream and the server's open chat streams return to 0");

  // Text is text: an HTML prompt shows literally and runs nothing.
  const xss = "<img src=x onerror=alert(1)>";
  await send(xss);
  await finished();
  check(await lastText() === xss, "an HTML prompt is rendered literally");
  check(await page.locator(".transcript img").count() === 0 && dialogs.length === 0, "no element is created and no dialog fires");

  // Errors are shown.
  await send("x".repeat(8001));
  await poll("the error", async () => (await assistants.last().locator(".error").count()) > 0);
  const error = await assistants.last().locator(".error").textContent();
  check(error.includes("limits.max_prompt_chars"), `an over-long prompt shows the server's message: ${error}`);

  // The clock shows exactly count ticks, ends, and does not reconnect.
  await page.fill("#clock-interval", "50");
  await page.fill("#clock-count", "5");
  await page.click("#clock-start");
  await poll("the end of the clock", async () => (await page.textContent("#clock-status")).startsWith("Ended"));
  const ticks = await page.locator("#ticks li").allTextContents();
  check(ticks.length === 5 && ticks.every((t, i) => t.startsWith(`#${i + 1}`)), `exactly 5 ticks with ids 1..5: ${JSON.stringify(ticks)}`);
  await page.waitForTimeout(1500);
  check(clockRequests.length === 1, `no new /clock request after the end (${clockRequests.length} made)`);

  // Phone-sized viewport: the panels stack and nothing overflows sideways.
  await page.setViewportSize({ width: 390, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, "no horizontal overflow on a phone-sized screen");
  await page.screenshot({ path: join(shots, "phone.png"), fullPage: true });
} catch (error) {
  failures += 1;
  console.log(`not ok - ${error.message}`);
} finally {
  await browser.close();
}

process.exit(failures === 0 ? 0 : 1);
