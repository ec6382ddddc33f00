// The array viewer panel in headless Chromium, fed with arrays computed by the engine and
// serialized by the runner's own code (serializeResult, previewOf, sliceArray): a 2-D array
// with NaN and +/-Inf, a 1-D array, a scalar, and a 10-million-element 3-D array sent with a
// handle and a downsampled preview, whose slices are answered as the runner would.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { DeviceArray, np, random } from "tensorlens";
import { type ArrayLeaf, type HostMessage, type PanelMessage } from "../../engine/src/runner/protocol.js";
import { serializeResult } from "../../engine/src/runner/serialize.js";
import { previewOf, sliceArray, type HostData } from "../../engine/src/runner/stats.js";
import { Browser, buildPanels, CHROMIUM, postToPainted, sliderToPainted, type Panel } from "./helpers.js";

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

/** A value as the runner sends it: the leaf (data inline, or a handle) and the held host data. */
async function asRunner(x: DeviceArray): Promise<{ leaf: ArrayLeaf; data: HostData }> {
  const { tree, held } = await serializeResult(x, { isArray: (v): v is DeviceArray => v instanceof DeviceArray, handlePrefix: "r0" });
  assert.equal(tree.kind, "array");
  const leaf = tree as ArrayLeaf;
  const data = leaf.handle ? held.get(leaf.handle)!.data : await x.data();
  return { leaf, data };
}

/** Centre of plot cell (row, col) in page coordinates, for a window of rows x cols (margins as the panel's). */
async function cellPoint(p: Panel, row: number, col: number, rows: number, cols: number, window = { r0: 0, c0: 0 }): Promise<{ x: number; y: number }> {
  const box = (await p.page.locator("canvas.tl-main-canvas").boundingBox())!;
  const area = { x: 56, y: 10, w: box.width - 56 - 12, h: box.height - 10 - 28 };
  return { x: box.x + area.x + ((col - window.c0 + 0.5) / cols) * area.w, y: box.y + area.y + ((row - window.r0 + 0.5) / rows) * area.h };
}

/** The canvas pixel (RGB) at a page point. */
async function pixelAt(p: Panel, pt: { x: number; y: number }): Promise<number[]> {
  return p.page.evaluate(({ x, y }) => {
    const c = document.querySelector("canvas.tl-main-canvas") as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const d = c.getContext("2d")!.getImageData(Math.floor((x - r.left) * devicePixelRatio), Math.floor((y - r.top) * devicePixelRatio), 1, 1).data;
    return [d[0]!, d[1]!, d[2]!];
  }, pt);
}

/** Waits for a `painted` message about `what` posted after `since`. */
async function paintedWhat(p: Panel, what: string, since: number): Promise<Extract<PanelMessage, { type: "painted" }>> {
  for (;;) {
    const m = await p.next("painted", since);
    if (m.what === what) return m;
    since = p.posted.indexOf(m) + 1;
  }
}

const hex = (s: string) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));

describe("array viewer (Chromium)", { skip }, () => {
  let browser: Browser;
  let small: { leaf: ArrayLeaf; data: HostData };
  let line: { leaf: ArrayLeaf; data: HostData };
  let scalar: { leaf: ArrayLeaf; data: HostData };
  let big: { leaf: ArrayLeaf; data: HostData };
  const ROWS = 48, COLS = 64;

  before(async () => {
    buildPanels();
    // 48x64, signed, with one NaN (flat index 100), one +Inf (200) and one -Inf (300), all made by engine ops.
    const a = np.arange(ROWS * COLS).reshape([ROWS, COLS]);
    const v = np.sin(a.mul(0.05)).mul(3).add(np.cos(a.mul(0.003)));
    const w = np.where(np.equal(a, 100), NaN, np.where(np.equal(a, 200), Infinity, np.where(np.equal(a, 300), -Infinity, v)));
    small = await asRunner(w);
    line = await asRunner(np.cumsum(random.normal(random.PRNGKey(1), [300])));
    scalar = await asRunner(np.mean(v));
    big = await asRunner(random.normal(random.PRNGKey(0), [10, 1000, 1000]));
    browser = await Browser.launch();
  });
  after(async () => { await browser?.close(); });

  const showSmall = (): HostMessage => ({ type: "showArray", label: "model.ts › forward", leaf: small.leaf, path: ["logits"] });

  test("the data came the runner's way: the small array inline with NaN/Inf counted, the big one by handle", () => {
    assert.ok(small.leaf.data, "48x64 travels whole");
    assert.equal(small.leaf.stats.nan, 1);
    assert.equal(small.leaf.stats.inf, 2);
    assert.ok(Number.isNaN(small.data[100]!) && small.data[200] === Infinity && small.data[300] === -Infinity);
    assert.equal(big.leaf.data, undefined);
    assert.equal(big.leaf.handle, "r0.0");
    assert.equal(big.leaf.size, 10_000_000);
  });

  test("renders a 2-D heatmap in light and dark themes, and posts ready then painted", async () => {
    for (const theme of ["dark", "light"] as const) {
      const p = await browser.open("arrayViewer", { theme });
      await p.next("ready", 0);
      const since = p.posted.length;
      await p.send(showSmall());
      const painted = await p.next("painted", since);
      assert.equal(painted.panel, "arrayViewer");
      assert.equal(painted.what, "showArray");
      assert.match(await p.page.locator(".tl-subtitle").innerText(), /logits · f32\[48,64\] · 3,072 elements/);
      assert.equal(await p.page.locator('[data-stat="NaN"] td').innerText(), "1");
      assert.equal(await p.page.locator('[data-stat="Inf"] td').innerText(), "2");
      assert.ok(await p.page.locator('[data-stat="NaN"]').evaluate((e) => e.classList.contains("tl-warn")), "the NaN count is flagged");
      // Diverging scale: the legend runs from -max|x| to +max|x| through 0.
      const labels = await p.page.locator(".tl-legend-labels span").allInnerTexts();
      assert.equal(labels[1], "0");
      assert.equal(Number(labels[0]), -Number(labels[2]));
      // A strongly positive cell and a strongly negative one differ in colour; both differ from the background.
      let maxI = 0, minI = 0;
      for (let i = 0; i < small.data.length; i++) {
        if (!Number.isFinite(small.data[i]!)) continue;
        if (small.data[i]! > small.data[maxI]!) maxI = i;
        if (small.data[i]! < small.data[minI]!) minI = i;
      }
      const pos = await pixelAt(p, await cellPoint(p, Math.floor(maxI / COLS), maxI % COLS, ROWS, COLS));
      const neg = await pixelAt(p, await cellPoint(p, Math.floor(minI / COLS), minI % COLS, ROWS, COLS));
      const red = hex(theme === "dark" ? "#f14c4c" : "#e51400"), blue = hex(theme === "dark" ? "#3794ff" : "#1a85ff");
      const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 12);
      assert.ok(near(pos, red), `the largest value is drawn in charts-red: ${pos} vs ${red}`);
      assert.ok(near(neg, blue), `the smallest value is drawn in charts-blue: ${neg} vs ${blue}`);
      const shot = await p.screenshot(`array-viewer-heatmap-${theme}`);
      assert.ok(existsSync(shot));
      assert.deepEqual(p.problems, []);
      await p.page.close();
    }
  });

  test("hovering a cell shows its index and value, equal to the engine's data", async () => {
    const p = await browser.open("arrayViewer");
    await p.next("ready", 0);
    await p.send(showSmall());
    await p.next("painted", 0);
    for (const [r, c] of [[0, 0], [5, 17], [47, 63], [30, 2]] as const) {
      const pt = await cellPoint(p, r, c, ROWS, COLS);
      await p.page.mouse.move(pt.x, pt.y);
      const tip = p.page.locator(".tl-tooltip");
      await tip.waitFor({ state: "visible" });
      assert.equal(await tip.getAttribute("data-index"), `${r},${c}`);
      assert.equal(Number(await tip.getAttribute("data-value")), small.data[r * COLS + c]);
      const text = await tip.innerText();
      assert.ok(text.startsWith(`[${r}, ${c}] = `), text);
      assert.ok(!text.includes("sample"), "inline data is exact");
    }
    // Keyboard: focus the heatmap, move the cursor with arrows: the same read-out.
    await p.page.locator("canvas.tl-main-canvas").focus();
    await p.page.keyboard.press("ArrowDown");
    await p.page.keyboard.press("ArrowRight");
    await p.page.keyboard.press("ArrowRight");
    assert.equal(await p.page.locator(".tl-tooltip").getAttribute("data-index"), "1,2");
    assert.equal(Number(await p.page.locator(".tl-tooltip").getAttribute("data-value")), small.data[1 * COLS + 2]);
    assert.deepEqual(p.problems, []);
    await p.page.close();
  });

  test("NaN, +Inf and -Inf are drawn in their own colours and named on hover", async () => {
    const p = await browser.open("arrayViewer", { theme: "dark" });
    await p.next("ready", 0);
    await p.send(showSmall());
    await p.next("painted", 0);
    const cases: [number, string, string][] = [[100, "NaN", "#cca700"], [200, "+Inf", "#b180d7"], [300, "-Inf", "#89d185"]];
    for (const [flat, word, color] of cases) {
      const pt = await cellPoint(p, Math.floor(flat / COLS), flat % COLS, ROWS, COLS);
      assert.deepEqual(await pixelAt(p, pt), hex(color), `${word} at ${flat} is drawn in ${color}`);
      await p.page.mouse.move(pt.x, pt.y);
      assert.equal(await p.page.locator(".tl-tip-value").innerText(), word);
      assert.ok(await p.page.locator(".tl-tip-value").evaluate((e) => e.classList.contains("tl-tip-special")));
    }
    // Its neighbours are ordinary values, not the NaN colour.
    assert.notDeepEqual(await pixelAt(p, await cellPoint(p, 1, 101 - COLS, ROWS, COLS)), hex("#cca700"));
    assert.match(await p.page.locator(".tl-specials").innerText(), /NaN ×1/);
    await p.page.close();
  });

  test("1-D as a line chart, a scalar as its value; copy as CSV and JSON posts the numbers", async () => {
    for (const theme of ["dark", "light"] as const) {
      const p = await browser.open("arrayViewer", { theme });
      await p.next("ready", 0);
      await p.send({ type: "showArray", label: "train.ts › walk", leaf: line.leaf, path: ["walk"] });
      await p.next("painted", 0);
      await p.screenshot(`array-viewer-line-${theme}`);
      // Hover the middle of the chart: index and value of that element.
      const box = (await p.page.locator("canvas.tl-main-canvas").boundingBox())!;
      const w = box.width - 68;
      const idx = 150;
      await p.page.mouse.move(box.x + 56 + ((idx + 0.5) / 300) * w, box.y + box.height / 2);
      assert.equal(await p.page.locator(".tl-tooltip").getAttribute("data-index"), String(idx));
      assert.equal(Number(await p.page.locator(".tl-tooltip").getAttribute("data-value")), line.data[idx]);
      if (theme === "dark") {
        let since = p.posted.length;
        await p.page.locator('[data-copy="csv"]').click();
        const csv = await p.next("copy", since);
        assert.deepEqual(csv.text.split(",").map(Number), Array.from(line.data));
        since = p.posted.length;
        await p.page.locator('[data-copy="json"]').click();
        assert.deepEqual(JSON.parse((await p.next("copy", since)).text), Array.from(line.data));
      }
      await p.page.close();
    }
    const p = await browser.open("arrayViewer", { theme: "light" });
    await p.next("ready", 0);
    await p.send({ type: "showArray", label: "model.ts › loss", leaf: scalar.leaf, path: ["loss"] });
    await p.next("painted", 0);
    assert.equal(await p.page.locator('[data-stat="shape"] td').innerText(), "[]");
    await p.screenshot("array-viewer-scalar-light");
    const since = p.posted.length;
    await p.page.locator('[data-copy="json"]').click();
    assert.equal(Number(JSON.parse((await p.next("copy", since)).text)[0]), scalar.data[0]);
    assert.deepEqual(p.problems, []);
    await p.page.close();
  });

  test("10M elements: the preview paints within 300 ms; a slider move redraws within 50 ms and fetches the slice", async () => {
    const shape = big.leaf.shape;
    const preview = previewOf(big.data, shape);
    const p = await browser.open("arrayViewer", { theme: "dark" });
    await p.next("ready", 0);
    const msg: HostMessage = { type: "showArray", label: "big.ts › make", leaf: big.leaf, path: ["x"], preview };
    // First paint, measured in the page: from posting the message to after the frame is painted.
    const first = await postToPainted(p.page, msg);
    console.log(`array viewer, 10M elements [10,1000,1000]: first paint ${first.wall.toFixed(1)} ms (preview ${preview.shape.join("x")}, step ${preview.step.join("x")})`);
    // The preview holds every index of axis 0, so it is exact: no fetch is needed for the whole view?
    // It is strided on the shown axes, so the panel asks for detail of plane 0 at once.
    const f0 = await p.next("fetchSlice", 0);
    assert.deepEqual([f0.handle, f0.start, f0.stop, f0.step], ["r0.0", [0, 0, 0], [1, 1000, 1000], [1, 4, 4]]);
    assert.equal(await p.page.locator("canvas.tl-main-canvas").getAttribute("data-step"), preview.step.slice(1).join("×"));
    await p.screenshot("array-viewer-10M-preview-dark");

    // A slider move (axis 0 to index 7), measured in the page.
    const since = p.posted.length;
    const move = await sliderToPainted(p.page, 7);
    console.log(`array viewer, 10M elements: slider move redrawn in ${move.wall.toFixed(1)} ms`);
    assert.equal(move.what, "slider");
    const req = await p.next("fetchSlice", since);
    assert.deepEqual([req.start, req.stop, req.step], [[7, 0, 0], [8, 1000, 1000], [1, 4, 4]]);
    // Answer as the runner does (its fetch handler: sliceArray over the held data).
    const slice = sliceArray(big.data, shape, req.start, req.stop, req.step);
    assert.deepEqual(slice.shape, [1, 250, 250]);
    const before = p.posted.length;
    await p.send({ type: "slice", requestId: req.requestId, slice });
    const painted = await paintedWhat(p, "slice", before);
    assert.equal(painted.what, "slice");
    console.log(`array viewer, 10M elements: a 250x250 slice drawn ${painted.ms.toFixed(1)} ms after it arrived`);
    assert.equal(await p.page.locator("canvas.tl-main-canvas").getAttribute("data-step"), "4×4");
    assert.equal(await p.page.locator("canvas.tl-main-canvas").getAttribute("data-exact"), "true");
    // Hover: the value of the element the read-out names, on plane 7, is the engine's.
    // (502, 302) is mid-way in the 4x4 block that sample [500, 300] stands for.
    const pt = await cellPoint(p, 502, 302, 1000, 1000);
    await p.page.mouse.move(pt.x, pt.y);
    const index = (await p.page.locator(".tl-tooltip").getAttribute("data-index"))!.split(",").map(Number);
    assert.deepEqual(index, [7, 500, 300]);
    assert.match(await p.page.locator(".tl-tooltip").innerText(), /\(sample\)/);
    assert.equal(Number(await p.page.locator(".tl-tooltip").getAttribute("data-value")), big.data[index[0]! * 1e6 + index[1]! * 1000 + index[2]!]);
    await p.screenshot("array-viewer-10M-slice-dark");

    // The keyboard moves the slider too (ArrowRight: index 8) and asks for that plane.
    const s2 = p.posted.length;
    await p.page.locator('input[data-axis="0"]').focus();
    await p.page.keyboard.press("ArrowRight");
    const req8 = await p.next("fetchSlice", s2);
    assert.deepEqual(req8.start, [8, 0, 0]);

    // Zoom in with the wheel: a finer slice of the zoomed window is asked for.
    const s3 = p.posted.length;
    await p.send({ type: "slice", requestId: req8.requestId, slice: sliceArray(big.data, shape, req8.start, req8.stop, req8.step) });
    await paintedWhat(p, "slice", s3);
    const s4 = p.posted.length;
    await p.page.mouse.move(pt.x, pt.y);
    for (let i = 0; i < 8; i++) await p.page.mouse.wheel(0, -100);
    await p.next("fetchSlice", s4);
    await p.page.waitForTimeout(300);
    const zoomed = p.posted.slice(s4).filter((m) => m.type === "fetchSlice").pop() as Extract<PanelMessage, { type: "fetchSlice" }>;
    assert.equal(zoomed.start[0], 8);
    assert.ok(zoomed.step[1]! < 4 && zoomed.step[2]! < 4, `finer after zooming in: ${zoomed.step}`);
    assert.ok(zoomed.stop[1]! - zoomed.start[1]! < 1000 && zoomed.stop[2]! - zoomed.start[2]! < 1000);
    const state = await p.state();
    assert.equal(state.fixed[0], 8, "the slider position is kept in the webview state");
    assert.ok(state.window.r1 - state.window.r0 < 1000);
    assert.deepEqual(p.problems, []);
    await p.page.close();

    // Hidden and shown again: the page is rebuilt with the saved state, the extension re-sends the array.
    const again = await browser.open("arrayViewer", { theme: "light", state });
    await again.next("ready", 0);
    await again.send(msg);
    await again.next("painted", 0);
    assert.equal(await again.page.locator('input[data-axis="0"]').inputValue(), "8");
    const restored = await again.next("fetchSlice", 0);
    assert.deepEqual([restored.start[0], restored.step], [8, zoomed.step]);
    await again.page.close();
  });

  test("a large array sent without a preview asks for the whole array at once and draws the answer", async () => {
    const p = await browser.open("arrayViewer");
    await p.next("ready", 0);
    await p.send({ type: "showArray", label: "big.ts › make", leaf: big.leaf, path: ["x"] });
    const req = await p.next("fetchSlice", 0) as Extract<PanelMessage, { type: "fetchSlice" }>;
    assert.deepEqual(req.start, [0, 0, 0]);
    const since = p.posted.length;
    await p.send({ type: "slice", requestId: req.requestId, slice: sliceArray(big.data, big.leaf.shape, req.start, req.stop, req.step) });
    await paintedWhat(p, "slice", since);
    // An invalid message is dropped (and reported), not drawn.
    await p.send({ type: "slice", requestId: "x" } as unknown as HostMessage);
    await p.page.waitForTimeout(50);
    assert.ok(p.problems.some((m) => /invalid message/.test(m)), "the invalid message is reported");
    await p.page.close();
  });
});
