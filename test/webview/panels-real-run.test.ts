// The training curves fed with the messages of a real run of examples/mlp.ts through the
// runner (`tensorlens run examples/mlp.ts --json -- DATA ...`): the panel receives exactly what
// the extension forwards from a live run, metric by metric, and the run's exit.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseMessage, type RunnerMessage } from "../../engine/src/runner/protocol.js";
import { Browser, buildPanels, CHROMIUM, repo } from "./helpers.js";

const data = "/usr/share/datasets/fashion-mnist";
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)`
  : !existsSync(`${data}/train-images-idx3-ubyte.gz`) ? `no dataset at ${data} (Debian package dataset-fashion-mnist)` : false;

let browser: Browser;
let messages: RunnerMessage[];

before(async () => {
  if (skip) return;
  buildPanels();
  const cli = join(repo, "engine", "dist", "runner", "cli.js");
  const r = spawnSync(process.execPath, [cli, "run", "examples/mlp.ts", "--json", "--", data, "--train", "512", "--test", "200", "--batch", "64", "--epochs", "2"], { cwd: repo, encoding: "utf8", timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  messages = r.stdout.split("\n").filter(Boolean).map(parseMessage);
  browser = await Browser.launch();
});
after(async () => { await browser?.close(); });

test("a real run of examples/mlp.ts: its metric messages become live curves, and its exit ends the run", { skip, timeout: 120_000 }, async () => {
  const metrics = messages.filter((m): m is Extract<RunnerMessage, { type: "metric" }> => m.type === "metric");
  const losses = metrics.filter((m) => m.values.loss !== undefined);
  // 512 images in batches of 64, two epochs: 16 steps, each reported; an accuracy per epoch.
  assert.equal(losses.length, 16);
  assert.equal(metrics.filter((m) => m.values.testAccuracy !== undefined).length, 2);
  const p = await browser.open("curves", { theme: "dark" });
  await p.next("ready", 0);
  await p.send({ type: "runState", running: true, id: "1", label: "mlp.ts" });
  for (const m of metrics) await p.send(m);
  await p.page.waitForFunction((n) => Number(document.querySelector('.tl-chart[data-metric="loss"]')?.getAttribute("data-points")) === n, losses.length);
  assert.equal(Number(await p.page.locator('.tl-chart[data-metric="loss"]').getAttribute("data-last")), losses.at(-1)!.values.loss);
  assert.equal(Number(await p.page.locator('.tl-chart[data-metric="testAccuracy"]').getAttribute("data-points")), 2);
  const exit = messages.find((m) => m.type === "exit") as Extract<RunnerMessage, { type: "exit" }>;
  await p.send({ type: "runState", running: false, id: "1", status: exit.status });
  assert.equal(await p.page.getByRole("button", { name: "Cancel the running program" }).isEnabled(), false);
  await p.screenshot("curves-mlp-real-run-dark");
  assert.deepEqual(p.problems, []);
});
