// The profile view in headless Chromium, fed with real profiles from the engine's profiler
// (startProfile -> Profile.summary() and .chromeTrace()) of a jitted MLP training step: 20
// steps and a recompile for a new batch size, and a long run of over 100,000 trace events that
// must render and pan (times are printed; the budgets are checked by npm run bench, not here).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, nn, np, random, startProfile, type DeviceArray } from "tensorlens";
import type { HostMessage, ProfileSummary, TraceEvent } from "../../engine/src/runner/protocol.js";
import { formatBytes } from "../../webview/src/shared/format.js";
import { Browser, buildPanels, CHROMIUM, panFrames, postToPainted, quantile, type Panel } from "./helpers.js";

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
const THIS_FILE = fileURLToPath(import.meta.url);
/** The line of this file that holds `text` (found in the source, independently of the engine). */
const lineOf = (text: string) => readFileSync(THIS_FILE, "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;

function mlp(sizes: number[]) {
  const k = random.PRNGKey(0);
  const params: DeviceArray[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) params.push(random.normal(k, [sizes[i]!, sizes[i + 1]!]).mul(0.1), np.zeros([sizes[i + 1]!]));
  const loss = (ps: DeviceArray[], x: DeviceArray, y: DeviceArray) => {
    let h = x;
    for (let i = 0; i < ps.length; i += 2) {
      h = np.matmul(h, ps[i]!).add(ps[i + 1]!); // MATMUL LINE
      if (i + 2 < ps.length) h = nn.relu(h);
    }
    return np.mean(np.sum(nn.logSoftmax(h).mul(y), { axis: 1 })).neg();
  };
  const step = jit(function trainStep(ps: DeviceArray[], x: DeviceArray, y: DeviceArray) {
    const g = grad(loss)(ps, x, y);
    return ps.map((p, i) => p.sub(g[i]!.mul(0.01)));
  });
  const batch = (b: number) => ({ x: random.normal(random.PRNGKey(b), [b, sizes[0]!]), y: np.ones([b, sizes[sizes.length - 1]!]).mul(0.1) });
  return { params, step, batch };
}

describe("profile view (Chromium)", { skip }, () => {
  let browser: Browser;
  let summary: ProfileSummary;
  let trace: { traceEvents: TraceEvent[] };
  let bigSummary: ProfileSummary;
  let bigTrace: { traceEvents: TraceEvent[] };

  before(async () => {
    buildPanels();
    {
      const { params, step, batch } = mlp([784, 256, 10]);
      const a = batch(64), b = batch(32);
      const s = startProfile();
      let ps = params;
      for (let i = 0; i < 20; i++) ps = step(ps, a.x, a.y);
      ps = step(ps, b.x, b.y); // a new batch size: a recompile with its reason
      const prof = s.stop();
      summary = prof.summary();
      trace = prof.chromeTrace() as unknown as { traceEvents: TraceEvent[] };
    }
    {
      // A long run of a small MLP: over 100,000 trace events.
      const { params, step, batch } = mlp([32, 64, 10]);
      const a = batch(16);
      let ps = params;
      ps = step(ps, a.x, a.y);
      const s = startProfile();
      for (let i = 0; i < 6000; i++) { const next = step(ps, a.x, a.y); if (i > 0) ps.forEach((p) => p.dispose()); ps = next; }
      const prof = s.stop();
      bigSummary = prof.summary();
      bigTrace = prof.chromeTrace() as unknown as { traceEvents: TraceEvent[] };
    }
    browser = await Browser.launch();
  });
  after(async () => { await browser?.close(); });

  const show = (): HostMessage => ({ type: "showProfile", label: "panels-profile.test.ts › trainStep", summary, trace });

  async function open(theme: "light" | "dark" = "dark"): Promise<Panel> {
    const p = await browser.open("profile", { theme, height: 900 });
    await p.next("ready", 0);
    await p.send(show());
    await p.next("painted", 0);
    return p;
  }

  test("the profile is the engine's: the matmul at this file's line, a recompile with its reason", () => {
    const mm = summary.ops.find((o) => o.name.startsWith("dot_general f32[64,784] f32[784,256]"));
    assert.ok(mm, summary.ops.map((o) => o.name).join("\n"));
    assert.equal(mm.sources[0]!.line, lineOf("// MATMUL LINE"));
    assert.equal(summary.compiles.length, 2);
    assert.equal(summary.compiles[0]!.reason, "first call");
    assert.notEqual(summary.compiles[1]!.reason, "first call");
    assert.ok(trace.traceEvents.some((e) => e.ph === "C"), "live-bytes counters");
    const x = bigTrace.traceEvents.filter((e) => e.ph !== "M").length;
    assert.ok(x >= 100_000, `the long profile has ${x} events`);
  });

  test("renders summary, timeline, memory, op table and compiles in light and dark", async () => {
    for (const theme of ["dark", "light"] as const) {
      const p = await open(theme);
      const cards = await p.page.locator(".tl-card").allInnerTexts();
      assert.ok(cards.some((c) => c.includes(formatBytes(summary.peakBytes)) && c.includes("peak memory")), cards.join(" | "));
      assert.ok(cards.some((c) => /compiling/.test(c)));
      assert.ok(cards.some((c) => c.includes("21 (2)")), "jit calls (misses)");
      // One table row per op name of the summary.
      const names = new Set(summary.ops.map((o) => o.name));
      assert.equal(await p.page.locator(".tl-ops tbody tr").count(), names.size);
      // Sorted by total time, the busiest first, with its share of the total.
      const first = await p.page.locator(".tl-ops tbody tr").first().locator(".tl-op-name").innerText();
      const busiest = [...names].map((n) => [n, summary.ops.filter((o) => o.name === n).reduce((s, o) => s + o.totalUs, 0)] as const).sort((a, b) => b[1] - a[1])[0]!;
      assert.equal(first, busiest[0]);
      // The recompile and its reason.
      const recompile = p.page.locator(".tl-recompile");
      assert.equal(await recompile.count(), 1);
      assert.ok((await recompile.innerText()).includes(summary.compiles[1]!.reason));
      // The timeline drew its tracks: the trace's thread names.
      const layout = JSON.parse((await p.page.locator("canvas.tl-timeline").getAttribute("data-layout"))!);
      assert.ok(layout.tracks.some((t: { name: string }) => /JS main/.test(t.name)), JSON.stringify(layout.tracks));
      assert.ok(layout.tracks.some((t: { name: string }) => /program steps/.test(t.name)));
      await p.screenshot(`profile-${theme}`);
      assert.deepEqual(p.problems, []);
      await p.page.close();
    }
  });

  test("a click on an op row posts openSource with its file:line; by line too; sorting by a column", async () => {
    const p = await open();
    const mm = summary.ops.find((o) => o.name.startsWith("dot_general f32[64,784] f32[784,256]"))!;
    let since = p.posted.length;
    await p.page.locator(".tl-ops tbody tr", { has: p.page.locator(".tl-op-name", { hasText: mm.name }) }).click();
    const open1 = await p.next("openSource", since);
    assert.deepEqual(open1, { type: "openSource", file: mm.sources[0]!.file, line: lineOf("// MATMUL LINE"), column: mm.sources[0]!.column });
    // Keyboard: Down then Enter on the rows opens the second row's line.
    since = p.posted.length;
    await p.page.keyboard.press("ArrowDown");
    await p.page.keyboard.press("Enter");
    const second = await p.next("openSource", since);
    const secondSrc = await p.page.locator(".tl-ops tbody tr:focus").getAttribute("data-source");
    assert.equal(`${second.file}:${second.line}`, secondSrc);
    // Grouped by source line: the matmul's line is a row of its own.
    await p.page.locator("select.tl-select").selectOption("line");
    const label = `${THIS_FILE.split("/").pop()}:${lineOf("// MATMUL LINE")}`;
    const row = p.page.locator(".tl-ops tbody tr", { has: p.page.locator(".tl-op-name", { hasText: label }) });
    assert.equal(await row.count(), 1, `a row for ${label}`);
    since = p.posted.length;
    await row.click();
    const open2 = await p.next("openSource", since);
    assert.equal(open2.line, lineOf("// MATMUL LINE"));
    // The lines' shares add up to 100%.
    const pcts = (await p.page.locator(".tl-ops tbody tr td:last-child").allInnerTexts()).map((t) => parseFloat(t));
    assert.ok(Math.abs(pcts.reduce((a, b) => a + b, 0) - 100) < 0.5, `${pcts}`);
    // Sort by count, ascending after a second click.
    await p.page.locator('[data-sort="count"]').click();
    assert.equal(await p.page.locator('th:has([data-sort="count"])').getAttribute("aria-sort"), "descending");
    await p.page.locator('[data-sort="count"]').click();
    assert.equal(await p.page.locator('th:has([data-sort="count"])').getAttribute("aria-sort"), "ascending");
    const counts = (await p.page.locator(".tl-ops tbody tr td:nth-child(2)").allInnerTexts()).map((t) => Number(t.replace(/,/g, "")));
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
    assert.equal((await p.state()).groupBy, "line");
    // A recompile's entry opens the jit call's line.
    since = p.posted.length;
    await p.page.locator(".tl-recompile").click();
    const open3 = await p.next("openSource", since);
    assert.deepEqual([open3.file, open3.line], [summary.compiles[1]!.source!.file, summary.compiles[1]!.source!.line]);
    // Export.
    since = p.posted.length;
    await p.page.getByRole("button", { name: "Export trace…" }).click();
    await p.next("exportTrace", since);
    await p.page.close();
  });

  test("a click on a timeline slice posts openSource with the slice's file:line", async () => {
    const p = await open();
    const canvas = p.page.locator("canvas.tl-timeline");
    // The longest step on the program-steps track that has a user line.
    const tids = new Map(trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [e.tid, e.args!.name as string]));
    const steps = trace.traceEvents.filter((e) => e.ph === "X" && /program steps/.test(tids.get(e.tid) ?? "") && typeof e.args?.source === "string" && e.args.source);
    const target = steps.sort((a, b) => b.dur! - a.dur!)[0]!;
    // Zoom so that the slice is wide: wheel over it until it spans many pixels.
    const box = (await canvas.boundingBox())!;
    const layout = () => canvas.getAttribute("data-layout").then((s) => JSON.parse(s!));
    const view = () => canvas.getAttribute("data-view").then((s) => s!.split(",").map(Number));
    const xOf = async (ts: number) => { const [t0, t1] = await view(); const L = (await layout()).labelWidth; return box.x + L + ((ts - t0!) / (t1! - t0!)) * (box.width - L); };
    const track = (await layout()).tracks.find((t: { name: string }) => /program steps/.test(t.name));
    const y = box.y + track.y + 1 * 16 + 8; // depth 1: the steps inside a program run
    for (let i = 0; i < 12; i++) {
      const x = await xOf(target.ts! + target.dur! / 2);
      await p.page.mouse.move(x, y);
      await p.page.mouse.wheel(0, -120);
      // The view attribute is written when a frame is drawn: wait for one.
      await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    }
    const x0 = await xOf(target.ts!), x1 = await xOf(target.ts! + target.dur!);
    assert.ok(x1 - x0 > 20, `the slice is ${x1 - x0} px wide after zooming`);
    const since = p.posted.length;
    await p.page.mouse.click((x0 + x1) / 2, y);
    const msg = await p.next("openSource", since);
    const [file, line] = [(target.args!.source as string).replace(/:\d+:\d+$/, ""), Number((target.args!.source as string).split(":").at(-2))];
    assert.deepEqual([msg.file, msg.line], [file, line]);
    // Hover shows the slice's name.
    await p.page.mouse.move((x0 + x1) / 2, y);
    assert.ok((await p.page.locator(".tl-tooltip").innerText()).startsWith(target.name));
    await p.screenshot("profile-zoomed-dark");
    await p.page.close();
  });

  test("100,000+ events: renders, and a scripted pan keeps frames short", async () => {
    const p = await browser.open("profile", { theme: "dark", height: 900 });
    await p.next("ready", 0);
    // The trace as the extension reads it from the profiler's file: its text.
    const msg: HostMessage = { type: "showProfile", label: "long run", summary: bigSummary, traceJson: JSON.stringify(bigTrace) };
    const events = bigTrace.traceEvents.length;
    const first = (await postToPainted(p.page, msg)).wall;
    console.log(`profile view, ${events} trace events (${(msg.traceJson!.length / 1e6).toFixed(1)} MB of JSON): shown in ${first.toFixed(0)} ms (parse, validation, indexing, first draw)`);
    const layout = JSON.parse((await p.page.locator("canvas.tl-timeline").getAttribute("data-layout"))!);
    assert.ok(layout.tracks.length >= 2, "the tracks are drawn");
    // Pan: a drag of 120 frames (2 px each) at 2x zoom (half the profile in view: ~57,000 events), then zoomed in (0.8^16: 36x) and panned again.
    const measure = async () => {
      const { draws, gaps } = await panFrames(p.page, 2, true);
      return { p50: quantile(draws, 0.5), p95: quantile(draws, 0.95), max: Math.max(...draws), gap50: quantile(gaps, 0.5), gap95: quantile(gaps, 0.95) };
    };
    const canvas = p.page.locator("canvas.tl-timeline");
    await canvas.focus();
    // The view attribute is written when a frame is drawn: wait for one before reading it.
    const spanNow = async () => { await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))); const [a, z] = (await canvas.getAttribute("data-view"))!.split(",").map(Number); return z! - a!; };
    const s0 = await spanNow();
    for (let i = 0; i < 3; i++) await p.page.keyboard.press("w");
    assert.ok(Math.abs((await spanNow()) / s0 - 0.512) < 1e-6, "three W presses zoom to 0.8^3");
    const whole = await measure();
    console.log(`profile view, ${events} events, pan at 2x zoom (half the profile in view): draw p50 ${whole.p50.toFixed(2)} ms, p95 ${whole.p95.toFixed(2)} ms, max ${whole.max.toFixed(2)} ms; frame interval p50 ${whole.gap50.toFixed(1)} ms, p95 ${whole.gap95.toFixed(1)} ms`);
    await canvas.focus();
    for (let i = 0; i < 13; i++) await p.page.keyboard.press("w");
    const ratio = (await spanNow()) / s0;
    assert.ok(Math.abs(ratio - Math.pow(0.8, 16)) < 1e-6, `zoomed in with the keyboard to ${ratio} of the whole`);
    const zoomed = await measure();
    console.log(`profile view, ${events} events, pan zoomed in: draw p50 ${zoomed.p50.toFixed(2)} ms, p95 ${zoomed.p95.toFixed(2)} ms, max ${zoomed.max.toFixed(2)} ms; frame interval p50 ${zoomed.gap50.toFixed(1)} ms, p95 ${zoomed.gap95.toFixed(1)} ms`);
    // Keyboard pan moves the view too.
    const before = await canvas.getAttribute("data-view");
    await p.page.keyboard.press("ArrowRight");
    await spanNow();
    assert.notEqual(await canvas.getAttribute("data-view"), before);
    await p.screenshot("profile-100k-dark");
    assert.deepEqual(p.problems, []);
    await p.page.close();
  });
});
