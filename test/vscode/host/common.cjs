// Helpers for the in-host tests (they run inside VS Code's extension host, CommonJS).
const vscode = require("vscode");
const { existsSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const EXTENSION_ID = "tensorlens.tensorlens-vscode";
const log = (...a) => console.log("[tl]", ...a);

async function poll(what, fn, timeoutMs = 20000, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** Asks the driver for a screenshot; resolves with what the DOM showed. */
async function screenshot(name) {
  const comm = process.env.TENSORLENS_TEST_COMM;
  if (!comm) return undefined;
  writeFileSync(join(comm, `${name}.request`), "");
  const done = join(comm, `${name}.done`);
  await poll(`screenshot ${name}`, () => existsSync(done), 20000, 100);
  const info = JSON.parse(readFileSync(done, "utf8"));
  log(`screenshot ${name}: ${info.file ?? info.error} dom=${JSON.stringify(info.dom ?? {})}`);
  return info;
}

/**
 * Asks the driver to click `selector` inside the loaded panel `panel` (body[data-panel]), or with
 * `keys` to focus it and press them; resolves when done.
 */
async function click(name, panel, selector, keys) {
  const comm = process.env.TENSORLENS_TEST_COMM;
  if (!comm) throw new Error("no driver to click with");
  const done = join(comm, `${name}.done`);
  writeFileSync(join(comm, `${name}.click.tmp`), JSON.stringify({ panel, selector, keys }));
  require("node:fs").renameSync(join(comm, `${name}.click.tmp`), join(comm, `${name}.click`));
  await poll(`click ${name}`, () => existsSync(done), 20000, 100);
  const info = JSON.parse(readFileSync(done, "utf8"));
  require("node:fs").rmSync(done, { force: true });
  if (info.error) throw new Error(`click ${selector} in ${panel}: ${info.error}`);
  return info;
}

/** The panels a screenshot's answer saw loaded (kind, visible, title, counts). */
const panelsIn = (shot) => (shot && shot.dom && shot.dom.panels) || [];

const hintText = (h) => (typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join(""));

async function hints(doc) {
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  return (await vscode.commands.executeCommand("vscode.executeInlayHintProvider", doc.uri, range)) ?? [];
}

async function lenses(doc) {
  return (await vscode.commands.executeCommand("vscode.executeCodeLensProvider", doc.uri)) ?? [];
}

function runLens(all, fn) {
  return all.find((l) => l.command && l.command.command === "tensorlens.run" && l.command.arguments?.[0]?.functionName === fn);
}

/** Opens a file, waits for the extension's activation and the first shape hints. */
async function openWithHints(file, pattern) {
  // The extension host's event loop: the longest stall while the extension starts.
  let lastTick = performance.now(), maxLag = 0;
  const lagTimer = setInterval(() => { const now = performance.now(); maxLag = Math.max(maxLag, now - lastTick - 10); lastTick = now; }, 10);
  const t0 = performance.now();
  // A trivial child over IPC, forked like the language server at the same moment: how long a
  // process start and one message take in this extension host while VS Code starts up.
  const probe = new Promise((resolve) => {
    const script = join(require("node:os").tmpdir(), `tl-probe-${process.pid}.cjs`);
    writeFileSync(script, "process.send('up'); setTimeout(() => process.exit(0), 50);");
    const child = require("node:child_process").fork(script, [], { silent: true });
    child.once("message", () => resolve(performance.now() - t0));
    child.once("error", () => resolve(NaN));
  });
  const steps = [];
  const step = (what) => steps.push(`${what} +${(performance.now() - t0).toFixed(0)}`);
  const doc = await vscode.workspace.openTextDocument(file);
  step("opened");
  await vscode.window.showTextDocument(doc);
  step("shown");
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert(ext, `extension ${EXTENSION_ID} is loaded`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  step(`active (activated ${(t0 - api.activatedAt).toFixed(0)} ms before the open)`);
  const found = await poll(`shape hints in ${file}`, async () => {
    const hs = await hints(doc);
    step(`${hs.length} hints`);
    return hs.some((h) => pattern.test(hintText(h))) ? hs : undefined;
  }, 30000);
  log(`open to first hints: ${steps.join(", ")}`);
  const now = performance.now();
  clearInterval(lagTimer);
  log(`extension host: longest event-loop stall ${maxLag.toFixed(0)} ms between opening the file and its first hints; a trivial forked child answered over IPC after ${(await probe).toFixed(0)} ms`);
  return { doc, api, hints: found, activationToHintsMs: now - api.activatedAt, openToHintsMs: now - t0 };
}

module.exports = { vscode, log, poll, assert, screenshot, click, panelsIn, hintText, hints, lenses, runLens, openWithHints, EXTENSION_ID };
