/**
 * The panels' HTML pages. The extension serves them (it supplies the webview's resource URIs,
 * a fresh nonce and `webview.cspSource`) and the Chromium tests load the same pages: one source
 * of truth. Node-safe: no DOM, no imports.
 */

export type PanelKind = "paramTree" | "arrayViewer" | "profile" | "curves";

export interface PanelPageOptions {
  /** URI of the panel's bundle (webview.asWebviewUri(.../webview/dist/<panel>.js)). */
  scriptUri: string;
  /** URI of the panel's stylesheet (webview.asWebviewUri(.../webview/dist/<panel>.css)). */
  styleUri: string;
  /** A fresh random nonce per page load (base64/hex, at least 128 bits). */
  nonce: string;
  /** webview.cspSource. */
  cspSource: string;
}

export const PANEL_TITLES: Record<PanelKind, string> = {
  paramTree: "Tensorlens: param tree",
  arrayViewer: "Tensorlens: array",
  profile: "Tensorlens: profile",
  curves: "Tensorlens: training curves",
};

/** A panel's page: strict CSP (no remote content, scripts by nonce only), one stylesheet, one script. */
export function panelHtml(kind: PanelKind, opts: PanelPageOptions): string {
  const { scriptUri, styleUri, nonce, cspSource } = opts;
  if (!Object.hasOwn(PANEL_TITLES, kind)) throw new Error(`panelHtml: unknown panel ${String(kind)}`);
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error("panelHtml: the nonce must be at least 16 base64/hex characters");
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}" nonce="${nonce}">
<title>${PANEL_TITLES[kind]}</title>
</head>
<body data-panel="${kind}">
<main id="root" class="tl-panel tl-${kind}"></main>
<script nonce="${nonce}" src="${attr(scriptUri)}"></script>
</body>
</html>
`;
}

/** The param-tree explorer's page (bundle: webview/dist/paramTree.js, style: webview/dist/paramTree.css). */
export function paramTreeHtml(opts: PanelPageOptions): string {
  return panelHtml("paramTree", opts);
}

function attr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
