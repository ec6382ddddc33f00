/**
 * The array viewer panel (webview/src/panels/arrayViewer): one array of the last result, opened
 * from a param-tree leaf or a result decoration's hover. Small arrays travel whole in the leaf;
 * large ones come with a handle and the runner's downsampled `preview` (kept here by handle for
 * the last result), and the panel's `fetchSlice` requests are forwarded to the runner session's
 * `fetch` and answered with `slice` / `sliceFailed` under the same requestId.
 */
import * as vscode from "vscode";
import type { ArraySlice, HostMessage, PanelMessage } from "../../engine/src/runner/protocol.js";
import { PanelHost } from "./panelHost.js";
import type { ShownResult } from "./paramTreeView.js";
import { nodeAt } from "./results.js";

type ShowArray = Extract<HostMessage, { type: "showArray" }>;
type FetchSlice = Extract<PanelMessage, { type: "fetchSlice" }>;

/** Reads a slice of an array of the last result (Runs.fetch). */
export type SliceReader = (handle: string, start: number[], stop: number[], step: number[]) => Promise<ArraySlice>;

export interface FetchRecord { requestId: string; handle: string; ok: boolean; ms: number; message?: string }

export class ArrayViewerPanel implements vscode.Disposable {
  readonly host: PanelHost;
  /** The runner's previews of the last result's large arrays, by handle. */
  private readonly previews = new Map<string, ArraySlice>();
  private shown: ShowArray | undefined;
  /** The fetches answered so far (tests and the bench read them). */
  readonly fetches: FetchRecord[] = [];

  constructor(bundleDir: vscode.Uri, private readonly read: SliceReader) {
    this.host = new PanelHost(bundleDir, {
      kind: "arrayViewer",
      onReady: () => { if (this.shown) this.host.post(this.shown); },
      onMessage: (m) => this.receive(m),
    });
  }

  /** A new result arrived: the previous result's previews are stale. */
  newResult(): void { this.previews.clear(); }

  /** The runner's `preview` of a large array of the last result. */
  preview(handle: string, slice: ArraySlice): void {
    this.previews.set(handle, slice);
    // Shown before its preview arrived: show it again with the preview.
    if (this.shown?.leaf.handle === handle && !this.shown.preview) {
      this.shown = { ...this.shown, preview: slice };
      this.host.post(this.shown);
    }
  }

  /** Opens the viewer on the array at `path` of a result; false when there is no array there. */
  show(result: ShownResult, path: string[]): boolean {
    const node = nodeAt(result.tree, path);
    if (node?.kind !== "array") return false;
    const preview = node.handle ? this.previews.get(node.handle) : undefined;
    this.shown = { type: "showArray", label: result.label, leaf: node, path, ...(preview ? { preview } : {}) };
    this.host.open();
    this.host.post(this.shown);
    return true;
  }

  private receive(m: PanelMessage): void {
    switch (m.type) {
      case "fetchSlice": this.fetch(m); break;
      case "copy":
        void vscode.env.clipboard.writeText(m.text).then(() => vscode.window.setStatusBarMessage(`Tensorlens: copied ${m.text.length.toLocaleString()} characters`, 2000));
        break;
      default: break;
    }
  }

  private fetch(m: FetchSlice): void {
    const t0 = performance.now();
    this.read(m.handle, m.start, m.stop, m.step).then(
      (slice) => {
        this.fetches.push({ requestId: m.requestId, handle: m.handle, ok: true, ms: performance.now() - t0 });
        this.host.post({ type: "slice", requestId: m.requestId, slice });
      },
      (e: Error) => {
        this.fetches.push({ requestId: m.requestId, handle: m.handle, ok: false, ms: performance.now() - t0, message: e.message });
        this.host.post({ type: "sliceFailed", requestId: m.requestId, message: e.message });
      },
    );
  }

  dispose(): void { this.host.dispose(); }
}
