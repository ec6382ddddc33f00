/**
 * Loading the array viewer, profile and curves pages (webview/src/panels/pages.ts) in headless
 * Chromium, as ../shared/notes/vscode-real-client.md "Webview pages alone" says: a persistent
 * context with a fresh profile and quiet flags, HOME/XDG in a temp dir, the page served from a
 * fake https origin by page.route (nothing reaches the network), and acquireVsCodeApi defined by
 * an init script. Posted messages reach the test (`posted`) and stay in the page
 * (`window.__posted`), so timings can be measured inside the page without a round trip.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { HostMessage, PanelMessage } from "../../engine/src/runner/protocol.js";
import { panelHtml, type PanelKind } from "../../webview/src/page.js";
import { artifacts, CHROMIUM, launchChromium, repo, THEMES } from "./helpers.js";

export { artifacts, CHROMIUM, repo };

/** VS Code's default chart and button colours, which the shared theme table leaves out. */
const EXTRA: Record<"light" | "dark", Record<string, string>> = {
  light: {
    "--vscode-charts-foreground": "#616161", "--vscode-charts-lines": "rgba(97, 97, 97, 0.5)",
    "--vscode-charts-yellow": "#bf8803", "--vscode-charts-green": "#388a34", "--vscode-charts-purple": "#652d90",
    "--vscode-button-background": "#005fb8", "--vscode-button-foreground": "#ffffff", "--vscode-button-hoverBackground": "#0258a8",
    "--vscode-button-secondaryBackground": "#e5e5e5", "--vscode-button-secondaryForeground": "#3b3b3b",
    "--vscode-dropdown-background": "#ffffff", "--vscode-dropdown-border": "#cecece", "--vscode-dropdown-foreground": "#3b3b3b",
    "--vscode-editorHoverWidget-background": "#f8f8f8", "--vscode-editorHoverWidget-border": "#c8c8c8", "--vscode-editorHoverWidget-foreground": "#3b3b3b",
  },
  dark: {
    "--vscode-charts-foreground": "#cccccc", "--vscode-charts-lines": "rgba(204, 204, 204, 0.5)",
    "--vscode-charts-yellow": "#cca700", "--vscode-charts-green": "#89d185", "--vscode-charts-purple": "#b180d7",
    "--vscode-button-background": "#0078d4", "--vscode-button-foreground": "#ffffff", "--vscode-button-hoverBackground": "#026ec1",
    "--vscode-button-secondaryBackground": "#313131", "--vscode-button-secondaryForeground": "#cccccc",
    "--vscode-dropdown-background": "#313131", "--vscode-dropdown-border": "#3c3c3c", "--vscode-dropdown-foreground": "#cccccc",
    "--vscode-editorHoverWidget-background": "#202020", "--vscode-editorHoverWidget-border": "#454545", "--vscode-editorHoverWidget-foreground": "#cccccc",
  },
};

export type Theme = "light" | "dark";
export function themeOf(name: Theme): { bodyClass: string; vars: Record<string, string> } {
  return { bodyClass: THEMES[name].bodyClass, vars: { ...THEMES[name].vars, ...EXTRA[name] } };
}

/** Builds the panels' bundles with webview/build.mjs (every time: it takes well under a second). */
export function buildPanels(): void {
  const r = spawnSync(process.execPath, [join(repo, "webview", "build.mjs")], { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`webview panels build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface PanelPage {
  page: Page;
  posted: PanelMessage[];
  problems: string[];
  send(message: HostMessage): Promise<void>;
  next<T extends PanelMessage["type"]>(type: T, since?: number, timeoutMs?: number): Promise<Extract<PanelMessage, { type: T }>>;
  /** The state the panel last saved with setState. */
  state(): Promise<any>;
  setTheme(theme: Theme): Promise<void>;
  screenshot(name: string): Promise<string>;
}

const ORIGIN = "https://tensorlens-panel.test";

export class PanelBrowser {
  private constructor(private readonly context: BrowserContext, private readonly dir: string) {}

  static async launch(): Promise<PanelBrowser> {
    const { context, dir } = await launchChromium("tl-panels-", { width: 1000, height: 640 });
    return new PanelBrowser(context, dir);
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Opens a panel's page as the extension serves it: panelHtml(kind, ...) with dist/<kind>.js and .css. */
  async open(kind: PanelKind, opts: { theme?: Theme; width?: number; height?: number; state?: unknown } = {}): Promise<PanelPage> {
    const page = await this.context.newPage();
    await page.setViewportSize({ width: opts.width ?? 1000, height: opts.height ?? 640 });
    const posted: PanelMessage[] = [];
    const problems: string[] = [];
    const waiters: (() => void)[] = [];
    page.on("console", (m) => { if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.exposeFunction("__hostReceive", (m: PanelMessage) => { posted.push(m); for (const w of waiters.splice(0)) w(); });
    // A string, not a function: tsx's keepNames helper `__name` does not exist in the page.
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
    const setTheme = (theme: Theme) => page.evaluate((t) => {
      document.body.classList.remove("vscode-light", "vscode-dark", "vscode-high-contrast");
      document.body.classList.add(t.bodyClass);
      document.documentElement.removeAttribute("style");
      for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v as string);
    }, themeOf(theme));
    // The theme before the panel's script runs (VS Code sets it before the page's scripts too).
    await page.addInitScript(`document.addEventListener("DOMContentLoaded", () => {
      const t = ${JSON.stringify(themeOf(opts.theme ?? "dark"))};
      document.body.classList.add(t.bodyClass);
      for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
    }, { capture: true, once: true });`);
    await page.goto(`${ORIGIN}/index.html`);
    const handle: PanelPage = {
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
      setTheme,
      screenshot: async (name) => {
        mkdirSync(artifacts, { recursive: true });
        const path = join(artifacts, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
    };
    return handle;
  }
}
