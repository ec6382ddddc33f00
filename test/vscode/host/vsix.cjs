// In-host tests of the packaged .vsix, installed as a user installs it, in a workspace with no
// `tensorlens` package: hints work, and a Run lens runs on the engine bundled in the extension
// (reference backend).
const { join } = require("node:path");
const { vscode, log, poll, assert, screenshot, lenses, runLens, openWithHints, EXTENSION_ID } = require("./common.cjs");

const ws = process.env.TENSORLENS_TEST_WS;

exports.run = async () => {
  try { await tests(); } catch (e) { log(`FAIL: ${e && e.stack || e}`); throw e; }
};

async function tests() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert(ext, "the installed extension is present");
  log(`installed extension at ${ext.extensionPath}`);
  assert(!ext.extensionPath.startsWith(join(__dirname, "..", "..", "..")), "the extension comes from the .vsix, not the repository");
  const { api, activationToHintsMs } = await openWithHints(join(ws, "dense.ts"), /f32\[3,2\]/);
  log(`vsix: hints work (activation to first hints ${activationToHintsMs.toFixed(0)} ms)`);
  const fixture = vscode.window.activeTextEditor.document;
  const lens = await poll("a Run lens", async () => runLens(await lenses(fixture), "initParams"));
  const rendered = api.nextRendered();
  const record = await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
  log(`vsix: run ${record.status} on ${record.backend} with ${record.engine && record.engine.cli}`);
  assert(record.status === "ok", `the run ends ok: ${JSON.stringify(record.error)}`);
  assert(record.engine && record.engine.bundled, "the bundled engine ran it");
  assert(record.backend === "reference", "on the reference backend");
  await rendered;
  const params = api.lastResult().tree;
  const kernel = params.entries.find((e) => e.key === "Dense_0").value.entries.find((e) => e.key === "kernel").value;
  assert(kernel.dtype === "float32" && kernel.shape.join(",") === "2,4", `Dense_0/kernel f32[2,4]: ${JSON.stringify(kernel.shape)}`);
  await screenshot("bundled-run");
  log("vsix: all passed");
}
