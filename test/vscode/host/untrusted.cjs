// In-host tests with Workspace Trust on and the workspace untrusted: hints still work, a Run
// lens refuses and no request reaches a runner.
const { join } = require("node:path");
const { vscode, log, poll, assert, screenshot, lenses, runLens, openWithHints } = require("./common.cjs");

/** The workspace the driver made: copies of the tutorial and the fixture. */
const ws = process.env.TENSORLENS_TEST_WS;

exports.run = async () => {
  try { await tests(); } catch (e) { log(`FAIL: ${e && e.stack || e}`); throw e; }
};

async function tests() {
  assert(!vscode.workspace.isTrusted, "the workspace is untrusted");
  const { api, activationToHintsMs } = await openWithHints(join(ws, "examples", "what-is-jax.ts"), /\[3,2\]/);
  log(`untrusted: hints work (activation to first hints ${activationToHintsMs.toFixed(0)} ms)`);
  const fixture = await vscode.workspace.openTextDocument(join(ws, "dense.ts"));
  await vscode.window.showTextDocument(fixture);
  const lens = await poll("a Run lens in the fixture", async () => runLens(await lenses(fixture), "initParams"));
  log(`untrusted: the lens reads "${lens.command.title}"`);
  assert(/trusted workspace/.test(lens.command.title), `the Run lens says why it will not run: ${lens.command.title}`);
  const record = await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
  log(`untrusted: run status ${record && record.status}, requests sent ${api.runRequests()}`);
  assert(record && record.status === "refused", `the run is refused: ${record && record.status}`);
  assert(api.runRequests() === 0, "no request reached a runner");
  assert(api.lastResult() === undefined, "no result was shown");
  await new Promise((r) => setTimeout(r, 500));
  await screenshot("refused");
  log("untrusted: all passed");
}
