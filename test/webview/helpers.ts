/**
 * The panels' pages (webview/src/page.ts's panelHtml with webview/dist/<panel>.js and .css) in
 * headless Chromium (Debian's /usr/bin/chromium through playwright-core), as
 * ../shared/notes/vscode-real-client.md "Webview pages alone" says: a persistent context with a
 * fresh profile, quiet flags, HOME/XDG under a temp dir, the page served from a fake https origin
 * by page.route (nothing reaches the network), the theme set before the page's scripts run, and
 * acquireVsCodeApi defined by an init script. Posted messages reach the test (`posted`, `next`)
 * and stay in the page (`window.__posted`, `window.__nextPosted`), so timings can be measured
 * inside the page without a round trip. One `Browser` serves every panel's tests and
 * bench/ui.ts, which also shares the 5,000-leaf tree (`bigParamTree`) and the profile view's
 * scripted pan (`panFrames`) with the tests.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { DeviceArray, np } from "tensorlens";
import type { HostMessage, PanelMessage, TreeNode } from "../../engine/src/runner/protocol.js";
import { serializeResult } from "../../engine/src/runner/serialize.js";
import { panelHtml, type PanelKind } from "../../webview/src/page.js";

export const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const artifacts = join(repo, "test", "artifacts");
export const CHROMIUM = "/usr/bin/chromium";
const ORIGIN = "https://tensorlens-panel.test";

/** Builds webview/dist when a panel's bundle is missing or older than any of the sources. */
export function ensureWebviewBuilt(): void {
  const src = join(repo, "webview", "src");
  const panels = readdirSync(src).filter((f) => f.endsWith(".ts") && f !== "page.ts").map((f) => f.slice(0, -3));
  const outs = panels.map((p) => join(repo, "webview", "dist", `${p}.js`));
  const sources = [join(repo, "webview", "build.mjs"), join(repo, "engine", "src", "runner", "protocol.ts"), ...walk(src)];
  const built = outs.every(existsSync) ? Math.min(...outs.map((o) => statSync(o).mtimeMs)) : 0;
  if (built && sources.every((f) => statSync(f).mtimeMs <= built)) return;
  buildPanels();
}
/** Builds every panel's bundle with webview/build.mjs (the panels' tests do it every time: it takes well under a second). */
export function buildPanels(): void {
  const r = spawnSync(process.execPath, [join(repo, "webview", "build.mjs")], { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`webview build failed:\n${r.stdout}\n${r.stderr}`);
}
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A result value as the runner sends it: the runner's own serializer over real engine arrays. */
export async function toTree(value: unknown): Promise<TreeNode> {
  const { tree } = await serializeResult(value, { isArray: (x): x is DeviceArray => x instanceof DeviceArray, handlePrefix: "test" });
  return tree;
}

/** 5,000 leaves: 50 blocks of 100 small arrays, each a different engine-computed array (the param tree's budget case). */
export async function bigParamTree(): Promise<TreeNode> {
  const blocks: Record<string, Record<string, DeviceArray>> = {};
  const base = np.arange(6).reshape([2, 3]);
  for (let b = 0; b < 50; b++) {
    const layers: Record<string, DeviceArray> = {};
    for (let l = 0; l < 100; l++) layers[`layer_${String(l).padStart(2, "0")}`] = base.mul(0.01 * (l + 1)).sub(b * 0.1);
    blocks[`block_${String(b).padStart(2, "0")}`] = layers;
  }
  return toTree({ params: blocks });
}

/** VS Code's default theme colours (Light Modern / Dark Modern) for the variables the panels use (charts, buttons, dropdowns and hovers too). */
export const THEMES = {
  light: {
    bodyClass: "vscode-light",
    vars: {
      "--vscode-font-family": "-apple-system, BlinkMacSystemFont, 'Segoe WPC', 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
      "--vscode-font-size": "13px",
      "--vscode-font-weight": "normal",
      "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
      "--vscode-foreground": "#3b3b3b",
      "--vscode-descriptionForeground": "#3b3b3b",
      "--vscode-editor-background": "#ffffff",
      "--vscode-sideBar-background": "#f8f8f8",
      "--vscode-panel-border": "#e5e5e5",
      "--vscode-widget-border": "#e5e5e5",
      "--vscode-focusBorder": "#005fb8",
      "--vscode-list-activeSelectionBackground": "#e8e8e8",
      "--vscode-list-activeSelectionForeground": "#000000",
      "--vscode-list-inactiveSelectionBackground": "#e4e6f1",
      "--vscode-list-hoverBackground": "#f2f2f2",
      "--vscode-list-focusOutline": "#005fb8",
      "--vscode-input-background": "#ffffff",
      "--vscode-input-foreground": "#3b3b3b",
      "--vscode-input-border": "#cecece",
      "--vscode-input-placeholderForeground": "#767676",
      "--vscode-badge-background": "#cccccc",
      "--vscode-badge-foreground": "#3b3b3b",
      "--vscode-icon-foreground": "#3b3b3b",
      "--vscode-toolbar-hoverBackground": "rgba(184, 184, 184, 0.31)",
      "--vscode-errorForeground": "#f85149",
      "--vscode-editorWarning-foreground": "#bf8803",
      "--vscode-charts-blue": "#1a85ff",
      "--vscode-charts-orange": "#d18616",
      "--vscode-charts-red": "#e51400",
      "--vscode-gitDecoration-addedResourceForeground": "#587c0c",
      "--vscode-gitDecoration-modifiedResourceForeground": "#895503",
      "--vscode-gitDecoration-deletedResourceForeground": "#ad0707",
      "--vscode-symbolIcon-fieldForeground": "#007acc",
      "--vscode-debugTokenExpression-number": "#098658",
      "--vscode-checkbox-background": "#f8f8f8",
      "--vscode-charts-foreground": "#616161", "--vscode-charts-lines": "rgba(97, 97, 97, 0.5)",
      "--vscode-charts-yellow": "#bf8803", "--vscode-charts-green": "#388a34", "--vscode-charts-purple": "#652d90",
      "--vscode-button-background": "#005fb8", "--vscode-button-foreground": "#ffffff", "--vscode-button-hoverBackground": "#0258a8",
      "--vscode-button-secondaryBackground": "#e5e5e5", "--vscode-button-secondaryForeground": "#3b3b3b",
      "--vscode-dropdown-background": "#ffffff", "--vscode-dropdown-border": "#cecece", "--vscode-dropdown-foreground": "#3b3b3b",
      "--vscode-editorHoverWidget-background": "#f8f8f8", "--vscode-editorHoverWidget-border": "#c8c8c8", "--vscode-editorHoverWidget-foreground": "#3b3b3b",
    },
  },
  dark: {
    bodyClass: "vscode-dark",
    vars: {
      "--vscode-font-family": "-apple-system, BlinkMacSystemFont, 'Segoe WPC', 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
      "--vscode-font-size": "13px",
      "--vscode-font-weight": "normal",
      "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
      "--vscode-foreground": "#cccccc",
      "--vscode-descriptionForeground": "#9d9d9d",
      "--vscode-editor-background": "#1f1f1f",
      "--vscode-sideBar-background": "#181818",
      "--vscode-panel-border": "#2b2b2b",
      "--vscode-widget-border": "#313131",
      "--vscode-focusBorder": "#0078d4",
      "--vscode-list-activeSelectionBackground": "#04395e",
      "--vscode-list-activeSelectionForeground": "#ffffff",
      "--vscode-list-inactiveSelectionBackground": "#37373d",
      "--vscode-list-hoverBackground": "#2a2d2e",
      "--vscode-list-focusOutline": "#0078d4",
      "--vscode-input-background": "#313131",
      "--vscode-input-foreground": "#cccccc",
      "--vscode-input-border": "#3c3c3c",
      "--vscode-input-placeholderForeground": "#989898",
      "--vscode-badge-background": "#616161",
      "--vscode-badge-foreground": "#f8f8f8",
      "--vscode-icon-foreground": "#cccccc",
      "--vscode-toolbar-hoverBackground": "rgba(90, 93, 94, 0.31)",
      "--vscode-errorForeground": "#f85149",
      "--vscode-editorWarning-foreground": "#cca700",
      "--vscode-charts-blue": "#3794ff",
      "--vscode-charts-orange": "#d18616",
      "--vscode-charts-red": "#f14c4c",
      "--vscode-gitDecoration-addedResourceForeground": "#81b88b",
      "--vscode-gitDecoration-modifiedResourceForeground": "#e2c08d",
      "--vscode-gitDecoration-deletedResourceForeground": "#c74e39",
      "--vscode-symbolIcon-fieldForeground": "#75beff",
      "--vscode-debugTokenExpression-number": "#b5cea8",
      "--vscode-checkbox-background": "#313131",
      "--vscode-charts-foreground": "#cccccc", "--vscode-charts-lines": "rgba(204, 204, 204, 0.5)",
      "--vscode-charts-yellow": "#cca700", "--vscode-charts-green": "#89d185", "--vscode-charts-purple": "#b180d7",
      "--vscode-button-background": "#0078d4", "--vscode-button-foreground": "#ffffff", "--vscode-button-hoverBackground": "#026ec1",
      "--vscode-button-secondaryBackground": "#313131", "--vscode-button-secondaryForeground": "#cccccc",
      "--vscode-dropdown-background": "#313131", "--vscode-dropdown-border": "#3c3c3c", "--vscode-dropdown-foreground": "#cccccc",
      "--vscode-editorHoverWidget-background": "#202020", "--vscode-editorHoverWidget-border": "#454545", "--vscode-editorHoverWidget-foreground": "#cccccc",
    },
  },
  /** Dark High Contrast: selection by outlines, not fills. */
  hc: {
    bodyClass: "vscode-high-contrast",
    vars: {
      "--vscode-font-family": "-apple-system, BlinkMacSystemFont, 'Segoe WPC', 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
      "--vscode-font-size": "13px",
      "--vscode-font-weight": "normal",
      "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
      "--vscode-foreground": "#ffffff",
      "--vscode-descriptionForeground": "rgba(255, 255, 255, 0.7)",
      "--vscode-editor-background": "#000000",
      "--vscode-sideBar-background": "#000000",
      "--vscode-panel-border": "#6fc3df",
      "--vscode-widget-border": "#6fc3df",
      "--vscode-contrastBorder": "#6fc3df",
      "--vscode-contrastActiveBorder": "#f38518",
      "--vscode-focusBorder": "#f38518",
      "--vscode-list-focusOutline": "#f38518",
      "--vscode-input-background": "#000000",
      "--vscode-input-foreground": "#ffffff",
      "--vscode-input-border": "#6fc3df",
      "--vscode-input-placeholderForeground": "rgba(255, 255, 255, 0.7)",
      "--vscode-badge-background": "#000000",
      "--vscode-badge-foreground": "#ffffff",
      "--vscode-icon-foreground": "#ffffff",
      "--vscode-errorForeground": "#f48771",
      "--vscode-editorWarning-foreground": "#ffd370",
      "--vscode-charts-blue": "#3794ff",
      "--vscode-charts-orange": "#d18616",
      "--vscode-charts-red": "#f14c4c",
      "--vscode-gitDecoration-addedResourceForeground": "#a1e3ad",
      "--vscode-gitDecoration-modifiedResourceForeground": "#e2c08d",
      "--vscode-gitDecoration-deletedResourceForeground": "#c74e39",
      "--vscode-symbolIcon-fieldForeground": "#75beff",
      "--vscode-debugTokenExpression-number": "#b5cea8",
    },
  },
} as const;
export type ThemeName = keyof typeof THEMES;

export interface Panel {
  page: Page;
  /** Every message the panel posted, in order. */
  posted: PanelMessage[];
  /** Problems the page reported: CSP violations, script errors, failed requests. */
  problems: string[];
  send(message: HostMessage): Promise<void>;
  /** Waits for the next posted message of a type (after `since` messages). */
  next<T extends PanelMessage["type"]>(type: T, since?: number, timeoutMs?: number): Promise<Extract<PanelMessage, { type: T }>>;
  /** The state the panel last saved with setState. */
  state(): Promise<any>;
  setTheme(theme: ThemeName): Promise<void>;
  /** Saves a screenshot of the page as test/artifacts/<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface PanelOptions { theme?: ThemeName; width?: number; height?: number; state?: unknown }

/** A page's size unless the test names one: the param tree's as its tests and screenshots have it, the other panels' an editor tab's. */
const defaultSize = (kind: PanelKind) => (kind === "paramTree" ? { width: 960, height: 560 } : { width: 1000, height: 640 });

export class Browser {
  private constructor(private readonly context: BrowserContext, private readonly dir: string) {}

  /**
   * Debian's Chromium, headless and quiet, with a fresh profile and HOME/XDG folders of its own
   * (the flags and folders of ../../shared notes: without them it calls home and writes to ~).
   */
  static async launch(): Promise<Browser> {
    const dir = mkdtempSync(join(tmpdir(), "tl-webview-"));
    for (const d of ["home", "config", "cache", "profile"]) mkdirSync(join(dir, d));
    const context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      env: { ...process.env, HOME: join(dir, "home"), XDG_CONFIG_HOME: join(dir, "config"), XDG_CACHE_HOME: join(dir, "cache") },
      viewport: { width: 1000, height: 640 }, // each page sets its own size (open)
      deviceScaleFactor: 1,
    });
    return new Browser(context, dir);
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Opens the param-tree page. */
  openParamTree(opts: PanelOptions = {}): Promise<Panel> {
    return this.open("paramTree", opts);
  }

  /** Opens a panel's page as the extension serves it: panelHtml(kind, ...) (same HTML function, same CSP) with dist/<kind>.js and .css. */
  async open(kind: PanelKind, opts: PanelOptions = {}): Promise<Panel> {
    const page = await this.context.newPage();
    const size = defaultSize(kind);
    await page.setViewportSize({ width: opts.width ?? size.width, height: opts.height ?? size.height });
    const posted: PanelMessage[] = [];
    const problems: string[] = [];
    const waiters: (() => void)[] = [];
    page.on("console", (m) => { if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.exposeFunction("__hostReceive", (m: PanelMessage) => { posted.push(m); for (const w of waiters.splice(0)) w(); });
    // A string, not a function: tsx compiles functions with esbuild's keepNames, whose `__name`
    // helper does not exist in the page (the same shim lets page.evaluate callbacks run).
    await page.addInitScript(`
      globalThis.__name = (f) => f;
      document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));
      (() => {
        let state = ${JSON.stringify(opts.state ?? null)} ?? undefined;
        let acquired = false;
        window.__posted = [];
        window.__postListeners = [];
        window.acquireVsCodeApi = () => {
          if (acquired) throw new Error("acquireVsCodeApi called twice");
          acquired = true;
          return {
            postMessage: (m) => {
              window.__posted.push(m);
              for (const l of window.__postListeners.splice(0)) l(m);
              window.__hostReceive(m);
            },
            getState: () => state,
            setState: (s) => { state = s; window.__lastState = s; },
          };
        };
        // Resolves with the next posted message of a type (the listener re-arms until it matches).
        window.__nextPosted = (type) => new Promise((resolve) => {
          const l = (m) => { if (m.type === type) resolve(m); else window.__postListeners.push(l); };
          window.__postListeners.push(l);
        });
      })();
    `);
    const nonce = "dGVzdG5vbmNlMTIzNDU2Nzg5MA";
    const html = panelHtml(kind, { scriptUri: `${ORIGIN}/dist/${kind}.js`, styleUri: `${ORIGIN}/dist/${kind}.css`, nonce, cspSource: ORIGIN });
    await page.route("**/*", async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) { problems.push(`blocked request: ${url.href}`); return route.abort(); }
      if (url.pathname === "/index.html") return route.fulfill({ contentType: "text/html", body: html });
      const file = join(repo, "webview", url.pathname);
      if (!relative(join(repo, "webview", "dist"), file).startsWith("..") && existsSync(file)) {
        return route.fulfill({ contentType: file.endsWith(".css") ? "text/css" : "text/javascript", body: readFileSync(file) });
      }
      problems.push(`not found: ${url.href}`);
      return route.fulfill({ status: 404, body: "" });
    });
    // The theme before the panel's script runs (VS Code sets it before the page's scripts too).
    await page.addInitScript(`document.addEventListener("DOMContentLoaded", () => {
      const t = ${JSON.stringify(THEMES[opts.theme ?? "dark"])};
      document.body.classList.add(t.bodyClass);
      for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
    }, { capture: true, once: true });`);
    await page.goto(`${ORIGIN}/index.html`);
    return {
      page, posted, problems,
      send: (message) => page.evaluate((m) => window.postMessage(m, "*"), message),
      next: (type, since = posted.length, timeoutMs = 5_000) => new Promise((resolve, reject) => {
        const check = () => {
          const m = posted.slice(since).find((x) => x.type === type);
          if (m) { clearTimeout(timer); resolve(m as any); return true; }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`no '${type}' message within ${timeoutMs} ms; posted: ${JSON.stringify(posted.map((p) => p.type))}`)), timeoutMs);
        const wait = () => { if (!check()) waiters.push(wait); };
        wait();
      }),
      state: () => page.evaluate(() => (window as any).__lastState),
      setTheme: (theme) => page.evaluate((t) => {
        document.body.classList.remove("vscode-light", "vscode-dark", "vscode-high-contrast");
        document.body.classList.add(t.bodyClass);
        document.documentElement.removeAttribute("style");
        for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v as string);
      }, THEMES[theme] as { bodyClass: string; vars: Record<string, string> }),
      screenshot: async (name) => {
        mkdirSync(artifacts, { recursive: true });
        const path = join(artifacts, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
    };
  }
}

/**
 * Posts `message` to the page as the extension does and times, inside the page (no round trip),
 * its way to the panel's next `painted` message: `wall` ms, and that message's `what` and `ms`.
 */
export function postToPainted(page: Page, message: HostMessage): Promise<{ wall: number; what: string; ms: number }> {
  return page.evaluate(async (m) => {
    const painted = (window as any).__nextPosted("painted");
    const t0 = performance.now();
    window.postMessage(m, "*");
    const r = await painted;
    return { wall: performance.now() - t0, what: r.what, ms: r.ms };
  }, message);
}

/** Moves the array viewer's axis-0 slider to `index` as a user does (value, then an input event), timed in the page to the next `painted`, as postToPainted. */
export function sliderToPainted(page: Page, index: number): Promise<{ wall: number; what: string; ms: number }> {
  return page.evaluate(async (index) => {
    const s = document.querySelector('input[data-axis="0"]') as HTMLInputElement;
    const painted = (window as any).__nextPosted("painted");
    const t0 = performance.now();
    s.value = String(index);
    s.dispatchEvent(new Event("input", { bubbles: true }));
    const r = await painted;
    return { wall: performance.now() - t0, what: r.what, ms: r.ms };
  }, index);
}

/** The element of sorted `xs` at fraction `f` (0.5: the median, 0.95: the p95). */
export const quantile = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))]!;

/**
 * A scripted pan of the profile view's timeline (zoomed by the caller): a mouse drag of 120
 * frames, `stepPx` to the left each frame, one mousemove per animation frame. Returns each
 * frame's drawing time (the canvas's `data-draw-ms`) and the intervals between frames. With
 * `mustMove`, a frame whose view (`data-view`) did not move is an error.
 */
export function panFrames(page: Page, stepPx: number, mustMove: boolean): Promise<{ draws: number[]; gaps: number[] }> {
  return page.evaluate(async ({ stepPx, mustMove }) => {
    const c = document.querySelector("canvas.tl-timeline") as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const y = r.top + 30;
    const frame = () => new Promise<number>((res) => requestAnimationFrame((t) => res(t)));
    const draws: number[] = [], gaps: number[] = [];
    c.dispatchEvent(new MouseEvent("mousedown", { clientX: r.left + 700, clientY: y, button: 0, buttons: 1, bubbles: true }));
    let last = await frame();
    for (let i = 0; i < 120; i++) {
      const before = c.dataset.view;
      window.dispatchEvent(new MouseEvent("mousemove", { clientX: r.left + 700 - (i + 1) * stepPx, clientY: y, buttons: 1, bubbles: true }));
      const t = await frame();
      // The panel draws in its own rAF callback, which runs before ours: the view has moved.
      await new Promise((res) => setTimeout(res, 0));
      if (mustMove && c.dataset.view === before) throw new Error(`frame ${i}: the view did not move`);
      draws.push(Number(c.dataset.drawMs));
      gaps.push(t - last);
      last = t;
    }
    window.dispatchEvent(new MouseEvent("mouseup", { clientX: r.left + 220, clientY: y, bubbles: true }));
    return { draws, gaps };
  }, { stepPx, mustMove });
}
