// In-host tests with Workspace Trust off (a trusted workspace): hints, lenses, a planted shape
// bug, Run through the runner to the param-tree view, the array viewer, profile view and
// training curves panels, a runtime error as a diagnostic.
const { join } = require("node:path");
const { vscode, log, poll, assert, screenshot, click, panelsIn, hintText, hints, lenses, runLens, openWithHints } = require("./common.cjs");

/** The workspace the driver made: copies of the tutorial and the fixture. */
const ws = process.env.TENSORLENS_TEST_WS;

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))]);
}

exports.run = async () => {
  try { await tests(); } catch (e) { log(`FAIL: ${e && e.stack || e}`); throw e; }
};

async function tests() {
  // 1. The tutorial: shape hints and their timing.
  const tutorial = join(ws, "examples", "what-is-jax.ts");
  const { doc, api, hints: firstHints, activationToHintsMs, openToHintsMs } = await openWithHints(tutorial, /\[3,2\]/);
  log(`metric activationToFirstHintsMs=${activationToHintsMs.toFixed(0)} openToFirstHintsMs=${openToHintsMs.toFixed(0)} breakdown=${JSON.stringify(api.timings())}`);
  // The extension's share: its server up (activation to the client's ready), and the server's
  // answer to VS Code's first ask; the rest is VS Code opening and showing the file and asking.
  const t = api.timings();
  log(`metric activationToServerReadyMs=${t.clientReadyMs.toFixed(0)} firstHintAskToAnswerMs=${(t.firstHintsMs - t.firstHintsAskedMs).toFixed(0)}`);
  const labels = firstHints.map(hintText);
  log(`hints: ${labels.length}, e.g. ${labels.slice(0, 4).join(" | ")}`);
  assert(labels.some((l) => /f32\[3,2\]|i32\[3,2\]/.test(l)), `a hint shows input's shape [3,2]: ${labels.join(" | ")}`);
  assert(vscode.workspace.isTrusted, "the workspace is trusted");

  // 2. A planted shape bug in an exported function: a Run lens for it and its diagnostic.
  const editor = vscode.window.activeTextEditor;
  const at = doc.lineCount;
  const tEdit = performance.now();
  await editor.edit((e) => e.insert(new vscode.Position(at, 0), "\nexport function planted() {\n  return np.matmul(np.ones([3, 2]), np.ones([3, 4]));\n}\n"));
  const bugLine = doc.getText().split("\n").findIndex((l) => l.includes("np.matmul(np.ones([3, 2]), np.ones([3, 4]))"));
  const diag = await poll("the planted bug's diagnostic", () =>
    vscode.languages.getDiagnostics(doc.uri).find((d) => d.source === "tensorlens" && d.range.start.line === bugLine)).catch((e) => {
    const all = vscode.languages.getDiagnostics(doc.uri).map((d) => `${d.source}@${d.range.start.line}: ${d.message}`);
    throw new Error(`${e.message}; line ${bugLine}; diagnostics: ${all.join(" | ")}`);
  });
  log(`metric editToDiagnosticMs=${(performance.now() - tEdit).toFixed(0)} diagnostic: ${diag.message}`);
  assert(/matmul|shape|2|3/.test(diag.message), `the diagnostic is about the matmul: ${diag.message}`);
  const tutorialLenses = await poll("a Run lens on planted", async () => runLens(await lenses(doc), "planted") && (await lenses(doc)));
  log(`lenses on the tutorial: ${tutorialLenses.map((l) => l.command && l.command.title).join(", ")}`);
  editor.revealRange(new vscode.Range(bugLine, 0, bugLine, 0), vscode.TextEditorRevealType.InCenter);
  await poll("the squiggle", async () => (await screenshot("planted-bug")).dom?.squiggles > 0, 10000, 500).catch((e) => log(`no squiggle on screen: ${e.message}`));
  await vscode.commands.executeCommand("workbench.action.files.revert");
  assert(!doc.isDirty, "the tutorial is back as it was");

  // 3. Run a lens of the fixture: the result reaches the param-tree view.
  const fixture = await vscode.workspace.openTextDocument(join(ws, "dense.ts"));
  await vscode.window.showTextDocument(fixture);
  const fixtureLenses = await poll("Run lenses in the fixture", async () => { const ls = await lenses(fixture); return runLens(ls, "initParams") && ls; });
  // The server's gaps: the module's call(x: DeviceArray) has no shape, so its Dense output is "?", with a reason.
  const gaps = await vscode.commands.executeCommand("tensorlens.showGaps", { uri: fixture.uri.toString(), pick: false });
  const denseLine = fixture.getText().split("\n").findIndex((l) => l.includes("nn.Dense(4)(x)"));
  const gap = gaps.find((g) => g.range.start.line === denseLine);
  assert(gap && gap.label.includes("?") && gap.why.length > 10, `a gap with a reason at the Dense call (line ${denseLine + 1}): ${JSON.stringify(gaps)}`);
  log(`gaps in the fixture: ${gaps.length}; at the Dense call: ${gap.label} — ${gap.why}`);
  const lens = runLens(fixtureLenses, "initParams");
  const clicks = [];
  for (let i = 0; i < 2; i++) {
    const rendered = api.nextRendered();
    const t0 = performance.now();
    const record = await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
    const r = await Promise.race([rendered, new Promise((res) => setTimeout(() => res(undefined), 60000))]);
    const ms = performance.now() - t0;
    assert(record && record.status === "ok", `run ${i + 1} ended ok: ${JSON.stringify({ status: record && record.status, error: record && record.error })}`);
    assert(r, `the param tree rendered run ${i + 1}`);
    clicks.push(ms);
    log(`metric clickToResultMs[${i + 1}]=${ms.toFixed(0)} (result message ${record.toResultMs.toFixed(0)} ms, webview render ${r.ms} ms, rows ${r.rows}, leaves ${r.leaves})`);
  }
  const shown = api.lastResult();
  const params = shown.tree;
  const dense = params.kind === "dict" && params.entries.find((e) => e.key === "Dense_0");
  const kernel = dense && dense.value.kind === "dict" && dense.value.entries.find((e) => e.key === "kernel");
  assert(kernel && kernel.value.kind === "array", `the result has Dense_0/kernel: ${JSON.stringify(params).slice(0, 300)}`);
  const dt = { float32: "f32" }[kernel.value.dtype] ?? kernel.value.dtype;
  const label = `Dense_0/kernel ${dt}[${kernel.value.shape.join(",")}]`;
  log(`param tree received ${label}`);
  assert(label === "Dense_0/kernel f32[2,4]", `the param tree received Dense_0/kernel f32[2,4], got ${label}`);
  const decorations = api.decorations(fixture.uri);
  log(`decorations: ${decorations.join(" | ")}`);
  assert(decorations.some((d) => /Dense_0\/kernel: f32\[2,4\] μ=/.test(d)), `an inline summary of the kernel: ${decorations.join(" | ")}`);
  await screenshot("run-result");

  // 3a. A click on the kernel's row in the param tree (inside its webview) opens the array viewer.
  const arrayPainted = api.nextPainted("arrayViewer", "showArray");
  const tClick = performance.now();
  await click("param-tree-kernel", "paramTree", '[role="treeitem"][data-path="Dense_0/kernel"]');
  const av = await withTimeout(arrayPainted, 20000, "the array viewer's painted (showArray) after a click in the param tree");
  log(`metric clickToArrayViewerMs=${(performance.now() - tClick).toFixed(0)} (panel paint ${av.ms.toFixed(0)} ms)`);
  const avShot = await screenshot("array-viewer");
  const avShown = panelsIn(avShot).find((p) => p.panel === "arrayViewer" && p.visible);
  assert(avShown && /Dense_0\/kernel|initParams/.test(avShown.title + JSON.stringify(avShown)), `the array viewer is on screen with the kernel: ${JSON.stringify(panelsIn(avShot))}`);

  // The status bar's backend switch applies to the next run; Profile runs through the runner too.
  await vscode.commands.executeCommand("tensorlens.switchBackend", "reference");
  const onReference = await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
  log(`after switching: ran on ${onReference.backend} (${onReference.status})`);
  assert(onReference.status === "ok" && onReference.backend === "reference", `the next run uses the reference backend: ${onReference.backend}`);
  await vscode.commands.executeCommand("tensorlens.switchBackend", "native");
  const profileLens = (await lenses(fixture)).find((l) => l.command && l.command.command === "tensorlens.profile" && l.command.arguments[0].functionName === "initParams");
  const profilePainted = api.nextPainted("profile", "showProfile");
  const tProfile = performance.now();
  const profiled = await vscode.commands.executeCommand(profileLens.command.command, ...profileLens.command.arguments);
  log(`profile: ${profiled.status}, ${profiled.profile ? `${profiled.profile.summary.ops.length} ops, wall ${profiled.profile.summary.wallMs.toFixed(1)} ms` : "no profile message"}`);
  assert(profiled.status === "ok" && profiled.profile, "Profile ends ok with a profile message");
  const pp = await withTimeout(profilePainted, 20000, "the profile view's painted (showProfile)");
  log(`metric clickToProfileViewMs=${(performance.now() - tProfile).toFixed(0)} (panel paint ${pp.ms.toFixed(0)} ms, ${profiled.profile.summary.events} events)`);
  const profShot = await screenshot("profile-view");
  assert(panelsIn(profShot).some((p) => p.panel === "profile" && p.visible && !p.empty), `the profile view is on screen: ${JSON.stringify(panelsIn(profShot))}`);
  // A click on the first op row with a source line opens that line in the editor (the summary's absolute path).
  const srcRow = profiled.profile.summary.ops.find((o) => o.sources.length);
  if (srcRow) {
    const src = srcRow.sources[0];
    for (const e of vscode.window.visibleTextEditors) e.selection = new vscode.Selection(0, 0, 0, 0);
    await click("profile-op-row", "profile", "table tbody tr:has(.tl-op-src)");
    // The table's order is its own (sorted by total time): any op's source line will do.
    const sources = profiled.profile.summary.ops.flatMap((o) => o.sources);
    const ed = await poll(`an op's source line (e.g. ${src.file}:${src.line}) selected from the profile's op table`, () =>
      vscode.window.visibleTextEditors.find((e) => e.selection.active.line > 0 && sources.some((x) => x.file === e.document.uri.fsPath && x.line - 1 === e.selection.active.line)), 10000)
      .catch((e) => { throw new Error(`${e.message}; editors: ${vscode.window.visibleTextEditors.map((x) => `${x.document.uri.fsPath}:${x.selection.active.line + 1}`).join(", ")}`); });
    log(`profile op row ${srcRow.name.slice(0, 40)} opened ${ed.document.uri.fsPath}:${ed.selection.active.line + 1}`);
  }
  // The timeline's first slice by keyboard (Down selects it, Enter opens it): its source is the
  // trace's, relative to the runner's working folder, and must resolve to the workspace's file.
  for (const e of vscode.window.visibleTextEditors) e.selection = new vscode.Selection(0, 0, 0, 0);
  await click("profile-slice", "profile", "canvas.tl-timeline", ["ArrowDown", "Enter"]);
  const sliceEd = await poll("an editor at a line from the timeline's first slice", () =>
    vscode.window.visibleTextEditors.find((e) => e.selection.active.line > 0 && e.document.uri.fsPath.startsWith(ws)), 10000);
  log(`profile timeline slice opened ${sliceEd.document.uri.fsPath}:${sliceEd.selection.active.line + 1} (trace path resolved against the runner's folder)`);

  // 3b. A result with a large array (8x300x300 > 65,536 elements): handle + preview, detail fetched
  // through the runner's session; opened as a decoration's hover link does ({ uri, path }).
  const panelsDoc = await vscode.workspace.openTextDocument(join(ws, "panels.ts"));
  await vscode.window.showTextDocument(panelsDoc, vscode.ViewColumn.One);
  const panelLenses = await poll("Run lenses in panels.ts", async () => { const ls = await lenses(panelsDoc); return runLens(ls, "bigArray") && runLens(ls, "train") && ls; });
  const bigLens = runLens(panelLenses, "bigArray");
  const bigRecord = await vscode.commands.executeCommand(bigLens.command.command, ...bigLens.command.arguments);
  assert(bigRecord.status === "ok", `bigArray ran: ${bigRecord.status} ${JSON.stringify(bigRecord.error)}`);
  const weights = bigRecord.result.tree.entries.find((e) => e.key === "weights").value;
  assert(weights.handle && !weights.data, `the 720,000-element array came with a handle: ${JSON.stringify(weights).slice(0, 200)}`);
  const fetchesBefore = api.panels().fetches.length;
  const bigPainted = api.nextPainted("arrayViewer", "showArray");
  const slicePainted = api.nextPainted("arrayViewer", "slice");
  const tBig = performance.now();
  const ok = await vscode.commands.executeCommand("tensorlens.openArray", { uri: panelsDoc.uri.toString(), path: ["weights"] });
  assert(ok === true, "tensorlens.openArray opened the array");
  const bp = await withTimeout(bigPainted, 20000, "the array viewer's painted for the large array");
  const sp = await withTimeout(slicePainted, 30000, "the array viewer's painted for a fetched slice");
  const fetched = api.panels().fetches.slice(fetchesBefore);
  log(`metric largeArrayFirstPaintMs=${(performance.now() - tBig).toFixed(0)} (panel ${bp.ms.toFixed(0)} ms); fetchSlice answers: ${JSON.stringify(fetched)}; slice painted ${sp.ms.toFixed(0)} ms after it arrived`);
  assert(fetched.some((f) => f.ok && f.handle === weights.handle), `a fetchSlice for ${weights.handle} was answered with a slice: ${JSON.stringify(fetched)}`);
  await screenshot("array-viewer-large");

  // 3c. A training loop that calls report({ step, loss }): the curves panel opens and gets every metric.
  const trainLens = runLens(panelLenses, "train");
  await vscode.window.showTextDocument(panelsDoc, vscode.ViewColumn.One);
  const trained = await vscode.commands.executeCommand(trainLens.command.command, ...trainLens.command.arguments);
  assert(trained.status === "ok", `train ran: ${trained.status} ${JSON.stringify(trained.error)}`);
  await poll("the curves panel open with 60 metric messages", () => api.panels().open.curves && api.panels().metricsPosted >= 60, 20000);
  const curvesShot = await poll("the curves drawn", async () => {
    const shot = await screenshot("curves");
    const c = panelsIn(shot).find((p) => p.panel === "curves" && p.visible);
    return c && c.charts === 2 && c.points.every((x) => x.endsWith(":60")) ? shot : undefined;
  }, 15000, 500).catch((e) => { throw new Error(`${e.message}; posted ${api.panels().metricsPosted}`); });
  log(`curves: ${JSON.stringify(panelsIn(curvesShot).find((p) => p.panel === "curves"))}`);
  // Hidden (another panel in front) and shown again: the page is rebuilt and gets its curves back.
  await vscode.commands.executeCommand("tensorlens.openArray", { uri: panelsDoc.uri.toString(), path: ["weights"] });
  await vscode.commands.executeCommand("tensorlens.showCurves");
  await poll("the curves back after hide/show", async () => {
    const c = panelsIn(await screenshot("curves-again")).find((p) => p.panel === "curves" && p.visible);
    return c && c.charts === 2 && c.points.every((x) => x.endsWith(":60"));
  }, 15000, 500);
  log("curves: kept across hide/show");

  // Cancel (the progress notification's Cancel button runs the same code as this command).
  const slowLens = runLens(await lenses(fixture), "slow");
  const sent = api.runRequests();
  const pending = vscode.commands.executeCommand(slowLens.command.command, ...slowLens.command.arguments);
  await poll("the slow run's request", () => api.runRequests() > sent, 10000);
  await new Promise((r) => setTimeout(r, 1500));
  const tCancel = performance.now();
  await vscode.commands.executeCommand("tensorlens.cancelRun");
  const slowRecord = await pending;
  log(`cancel: ${slowRecord.status} ${(performance.now() - tCancel).toFixed(0)} ms after the cancel`);
  assert(slowRecord.status === "cancelled", `the slow run ends cancelled: ${slowRecord.status}`);

  // 4. A runtime error: a diagnostic at its .ts line, cleared by the next edit.
  const brokenLens = runLens(await lenses(fixture), "broken");
  const rec = await vscode.commands.executeCommand(brokenLens.command.command, ...brokenLens.command.arguments);
  assert(rec.status === "error", `the broken run ends in error: ${rec.status}`);
  const runDiag = await poll("the runtime error's diagnostic", () =>
    vscode.languages.getDiagnostics(fixture.uri).find((d) => d.source === "tensorlens run"));
  const expectedLine = fixture.getText().split("\n").findIndex((l) => l.includes("v.reshape([5])"));
  log(`runtime diagnostic at line ${runDiag.range.start.line + 1}: ${runDiag.message}`);
  assert(runDiag.range.start.line === expectedLine, `the runtime error sits at the reshape's line ${expectedLine + 1}, got ${runDiag.range.start.line + 1}`);
  await screenshot("runtime-error");
  const ed = await vscode.window.showTextDocument(fixture);
  await ed.edit((e) => e.insert(new vscode.Position(0, 0), " "));
  await poll("the runtime diagnostic cleared by an edit", () => !vscode.languages.getDiagnostics(fixture.uri).some((d) => d.source === "tensorlens run"), 5000);
  assert(api.decorations(fixture.uri).length === 0, "the inline summaries are cleared by an edit");
  await vscode.commands.executeCommand("workbench.action.files.revert");
  log(`runs sent to the runner: ${api.runRequests()}; timings ${JSON.stringify(api.timings())}`);

  // 5. The hints toggle: off, then on again.
  await vscode.window.showTextDocument(doc);
  const ours = async () => (await hints(doc)).filter((h) => /\w+\[[\d?,]*\]/.test(hintText(h)));
  await vscode.commands.executeCommand("tensorlens.toggleHints");
  await poll("no shape hints after the toggle", async () => (await ours()).length === 0, 5000);
  await vscode.commands.executeCommand("tensorlens.toggleHints");
  await poll("shape hints back after the second toggle", async () => (await ours()).length > 0, 5000);
  log("hints toggle: off and on again");

  // 6. The language server dies: it is restarted (with a notice) and hints come back.
  const oldPid = api.serverPid();
  assert(oldPid, "the server's pid is known");
  process.kill(oldPid, "SIGKILL");
  const newPid = await poll("a restarted language server", () => { const p = api.serverPid(); return p && p !== oldPid ? p : undefined; }, 15000);
  await vscode.window.showTextDocument(doc);
  await poll("hints from the restarted server", async () => (await ours()).length > 0, 15000);
  log(`language server restarted after a kill: pid ${oldPid} -> ${newPid}`);
  log("trusted: all passed");
}
