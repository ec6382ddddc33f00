/**
 * The panel's side of the extension <-> panel channel, shared by every panel: a typed
 * `post(PanelMessage)`, validated `HostMessage`s in, and the panel's persisted state
 * (`getState`/`setState`, which VS Code keeps across hide/show of the webview).
 */
import "./setup.js";
import { HostMessage, type PanelMessage } from "../../../engine/src/runner/protocol.js";

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page: every panel module shares this one. */
let api: VsCodeApi | undefined;
function vscode(): VsCodeApi {
  if (!api) {
    api = typeof acquireVsCodeApi === "function"
      ? acquireVsCodeApi()
      : { postMessage: (m) => console.log("[panel → host]", m), getState: () => undefined, setState: () => {} };
  }
  return api;
}

export function post(message: PanelMessage): void {
  vscode().postMessage(message);
}

export function getState<T extends object>(): Partial<T> {
  const s = vscode().getState();
  return s && typeof s === "object" ? (s as Partial<T>) : {};
}

export function setState<T extends object>(state: T): void {
  vscode().setState(state);
}

/**
 * Calls `handler` with each message from the extension that validates as a HostMessage, with
 * the time it arrived (performance.now()). Anything else is reported on the console and dropped.
 */
export function onHostMessage(handler: (message: HostMessage, receivedAt: number) => void): void {
  window.addEventListener("message", (event: MessageEvent) => {
    const receivedAt = performance.now();
    performance.mark("tl:received");
    const parsed = HostMessage.safeParse(event.data);
    performance.measure("tl:validate", "tl:received");
    if (!parsed.success) {
      console.error("tensorlens panel: ignored an invalid message from the extension:", parsed.error.issues.slice(0, 3));
      return;
    }
    handler(parsed.data, receivedAt);
  });
}

/** Resolves after the next frame has been laid out and painted (rAF, then a task after it). */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    // A hidden webview gets no frames: do not wait for one.
    if (document.visibilityState === "hidden") { resolve(); return; }
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(null);
    });
  });
}
