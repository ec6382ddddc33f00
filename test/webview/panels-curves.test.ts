// The training-curves panel in headless Chromium, fed with the metric messages of a real
// training loop: the engine's report() with the runner's sink installed (the same global the
// runner's child process installs, and the message it builds from it), a small regression MLP
// trained with grad + SGD under jit.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { grad, jit, nn, np, random, report, type DeviceArray } from "tensorlens";
import { MetricMessage, type HostMessage } from "../../engine/src/runner/protocol.js";
import { Browser, buildPanels, CHROMIUM, type Panel } from "./helpers.js";

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
type Metric = Extract<HostMessage, { type: "metric" }>;

/** Runs `steps` SGD steps and returns the metric messages report() produced, as the runner emits them. */
function train(steps: number): Metric[] {
  const sink = Symbol.for("tensorlens.runner.reportSink");
  const out: Metric[] = [];
  const start = performance.now();
  (globalThis as Record<symbol, unknown>)[sink] = (step: number | null, values: Record<string, number | null>) => {
    out.push(MetricMessage.parse({ type: "metric", id: "7", step, values, t: performance.now() - start }) as Metric);
  };
  try {
    const k = random.PRNGKey(0);
    const x = random.normal(k, [64, 8]);
    const yTrue = np.sin(np.sum(x, { axis: 1, keepdims: true }));
    let params: DeviceArray[] = [random.normal(k, [8, 32]).mul(0.3), np.zeros([32]), random.normal(random.PRNGKey(1), [32, 1]).mul(0.3), np.zeros([1])];
    const loss = (ps: DeviceArray[]) => np.mean(np.square(np.matmul(nn.tanh(np.matmul(x, ps[0]!).add(ps[1]!)), ps[2]!).add(ps[3]!).sub(yTrue)));
    const step = jit((ps: DeviceArray[]) => { const g = grad(loss)(ps); return ps.map((p, i) => p.sub(g[i]!.mul(0.1))); });
    for (let i = 0; i < steps; i++) {
      params = step(params);
      const l = loss(params);
      report({ step: i, loss: l, lr: 0.1 * Math.pow(0.99, i) });
    }
  } finally {
    delete (globalThis as Record<symbol, unknown>)[sink];
  }
  return out;
}

describe("training curves (Chromium)", { skip }, () => {
  let browser: Browser;
  let metrics: Metric[];

  before(async () => {
    buildPanels();
    metrics = train(120);
    browser = await Browser.launch();
  });
  after(async () => { await browser?.close(); });

  const points = (p: Panel, name: string) => p.page.locator(`.tl-chart[data-metric="${name}"]`).getAttribute("data-points").then(Number);

  test("the metrics are real: the loss falls", () => {
    assert.equal(metrics.length, 120);
    const loss = metrics.map((m) => m.values.loss!);
    assert.ok(loss[119]! < loss[0]! * 0.7, `loss ${loss[0]} -> ${loss[119]}`);
  });

  test("curves grow as metric messages arrive, one chart per metric; Cancel posts cancelRun while the run is live", async () => {
    for (const theme of ["dark", "light"] as const) {
      const p = await browser.open("curves", { theme });
      await p.next("ready", 0);
      assert.equal(await p.page.locator(".tl-chart").count(), 0);
      await p.send({ type: "runState", running: true, id: "7", label: "train.ts › fit" });
      assert.ok(await p.page.getByRole("button", { name: "Cancel the running program" }).isEnabled());
      let sent = 0;
      for (const upTo of [10, 40, 120]) {
        for (; sent < upTo; sent++) await p.send(metrics[sent]!);
        await p.page.waitForFunction((n) => Number(document.querySelector('.tl-chart[data-metric="loss"]')?.getAttribute("data-points")) === n, upTo);
        assert.equal(await points(p, "loss"), upTo);
        assert.equal(await points(p, "lr"), upTo);
      }
      assert.equal(await p.page.locator(".tl-chart").count(), 2);
      assert.equal(Number(await p.page.locator('.tl-chart[data-metric="loss"]').getAttribute("data-last")), metrics[119]!.values.loss);
      assert.match(await p.page.locator('.tl-chart[data-metric="loss"] .tl-chart-last').innerText(), /^step 119: /);
      // uPlot drew into its canvas: not blank.
      const inked = await p.page.locator('.tl-chart[data-metric="loss"] canvas').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
      assert.ok(inked > 500, `${inked} pixels drawn`);
      await p.screenshot(`curves-${theme}`);
      if (theme === "dark") {
        const since = p.posted.length;
        await p.page.getByRole("button", { name: "Cancel the running program" }).click();
        assert.deepEqual(await p.next("cancelRun", since), { type: "cancelRun", id: "7" });
        await p.send({ type: "runState", running: false, id: "7", status: "cancelled" });
        assert.ok(await p.page.getByRole("button", { name: "Cancel the running program" }).isDisabled());
        assert.match(await p.page.locator(".tl-run-status").innerText(), /cancelled/);
      }
      assert.deepEqual(p.problems, []);
      await p.page.close();
    }
  });

  test("log scale and smoothing change the charts and are kept with the points across hide/show", async () => {
    const p = await browser.open("curves", { theme: "dark" });
    await p.next("ready", 0);
    await p.send({ type: "runState", running: true, id: "7" });
    for (const m of metrics) await p.send(m);
    await p.page.waitForFunction(() => document.querySelector('.tl-chart[data-metric="loss"]')?.getAttribute("data-points") === "120");
    // uPlot draws its axes on the canvas: compare the drawings.
    const drawing = () => p.page.locator('.tl-chart[data-metric="loss"] canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
    const linear = await drawing();
    await p.page.getByLabel("log scale").check();
    await p.page.waitForFunction((before) => (document.querySelector('.tl-chart[data-metric="loss"] canvas') as HTMLCanvasElement).toDataURL() !== before, linear);
    await p.screenshot("curves-log-dark");
    // Smoothing off: the read-out no longer gives a smoothed value.
    assert.match(await p.page.locator('.tl-chart[data-metric="loss"] .tl-chart-last').innerText(), /smoothed/);
    await p.page.locator("#tl-smoothing").fill("0");
    await p.page.waitForFunction(() => !/smoothed/.test(document.querySelector('.tl-chart[data-metric="loss"] .tl-chart-last')!.textContent!));
    await p.page.waitForTimeout(600); // the state is saved at most twice a second
    const state = await p.state();
    assert.equal(state.log, true);
    assert.equal(state.smoothing, 0);
    assert.equal(state.series.find((s: { name: string }) => s.name === "loss").x.length, 120);
    await p.page.close();
    // Shown again: the page is rebuilt from the state, with no message from the extension.
    const again = await browser.open("curves", { theme: "dark", state });
    await again.next("ready", 0);
    await again.page.waitForFunction(() => document.querySelector('.tl-chart[data-metric="loss"]')?.getAttribute("data-points") === "120");
    assert.ok(await again.page.getByLabel("log scale").isChecked());
    assert.ok(await again.page.getByRole("button", { name: "Cancel the running program" }).isEnabled(), "the run is still live");
    // A new run starts with empty curves.
    await again.send({ type: "runState", running: true, id: "8" });
    await again.send({ ...metrics[0]!, id: "8" });
    await again.page.waitForFunction(() => document.querySelector('.tl-chart[data-metric="loss"]')?.getAttribute("data-points") === "1");
    assert.deepEqual(again.problems, []);
    await again.page.close();
  });
});
