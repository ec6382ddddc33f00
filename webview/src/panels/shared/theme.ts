/**
 * Colours from VS Code's theme variables, resolved to RGB for canvas drawing. Nothing here
 * names a colour of its own except as a fallback when a variable is missing; `onThemeChange`
 * tells a panel to redraw when VS Code switches theme (it rewrites the body's class and the
 * root's style attribute).
 */
export type RGB = [number, number, number];

let probe: HTMLElement | undefined;

/** A CSS colour (a var(...) expression too) as [r, g, b]. */
export function resolveColor(css: string): RGB {
  if (!probe) {
    probe = document.createElement("span");
    probe.setAttribute("aria-hidden", "true");
    probe.className = "tl-color-probe";
    document.body.append(probe);
  }
  probe.style.color = "";
  probe.style.color = css;
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(getComputedStyle(probe).color);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

/** A theme variable (with a fallback) as [r, g, b]. */
export function themeColor(name: string, fallback: string): RGB {
  return resolveColor(`var(${name}, ${fallback})`);
}

export const rgb = (c: RGB, a = 1) => (a === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${a})`);
export const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** The palette every panel draws with. */
export interface Palette {
  fg: RGB; bg: RGB; muted: RGB; border: RGB; focus: RGB;
  blue: RGB; red: RGB; orange: RGB; yellow: RGB; green: RGB; purple: RGB;
  /** The chart series colours, in order. */
  series: RGB[];
}

export function palette(): Palette {
  const c = (n: string, f: string) => themeColor(n, f);
  const p = {
    fg: c("--vscode-foreground", "#cccccc"),
    bg: c("--vscode-editor-background", "#1f1f1f"),
    muted: c("--vscode-descriptionForeground", "#9d9d9d"),
    border: c("--vscode-panel-border", "#808080"),
    focus: c("--vscode-focusBorder", "#0078d4"),
    blue: c("--vscode-charts-blue", "#3794ff"),
    red: c("--vscode-charts-red", "#f14c4c"),
    orange: c("--vscode-charts-orange", "#d18616"),
    yellow: c("--vscode-charts-yellow", "#cca700"),
    green: c("--vscode-charts-green", "#89d185"),
    purple: c("--vscode-charts-purple", "#b180d7"),
  };
  return { ...p, series: [p.blue, p.orange, p.green, p.purple, p.red, p.yellow] };
}

/** Calls `fn` when the theme changes (body class or root style rewritten by VS Code). */
export function onThemeChange(fn: () => void): void {
  let queued = false;
  const obs = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fn(); });
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
}

/**
 * A canvas font from the theme's font variables: canvas `font` does not resolve var(...), so
 * the families are read from the computed style.
 */
export function canvasFont(px: number, mono = false): string {
  const css = getComputedStyle(document.documentElement);
  const family = css.getPropertyValue(mono ? "--vscode-editor-font-family" : "--vscode-font-family").trim() || (mono ? "monospace" : "sans-serif");
  return `${px}px ${family}`;
}
