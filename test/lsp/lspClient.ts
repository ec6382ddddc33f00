/**
 * A plain LSP client over stdio (vscode-jsonrpc), as an editor would be: spawns the built
 * server, opens documents, sends edits and requests. Builds the server bundle once per process.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const serverPath = join(repo, "language-server", "dist", "server.js");
let built = false;

export function buildServer(): void {
  if (built) return;
  execFileSync(process.execPath, [join(repo, "language-server", "build.mjs")], { stdio: "inherit" });
  built = true;
}

export interface Pos { line: number; character: number }
export interface Rng { start: Pos; end: Pos }
export interface Diag { range: Rng; severity: number; code: string; message: string }

export class LspClient {
  private readonly diagnostics = new Map<string, { version?: number; diagnostics: Diag[] }>();
  private readonly waiters: (() => void)[] = [];
  readonly stderr: string[] = [];
  private versions = new Map<string, number>();
  private constructor(readonly proc: ChildProcess, readonly conn: MessageConnection) {
    conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: Diag[] }) => {
      this.diagnostics.set(p.uri, p);
      for (const w of this.waiters.splice(0)) w();
    });
    conn.onNotification("window/logMessage", (p: { message: string }) => { this.stderr.push(p.message); });
  }

  static async start(rootDir: string, env: NodeJS.ProcessEnv = {}): Promise<LspClient> {
    buildServer();
    const proc = spawn(process.execPath, [serverPath, "--stdio"], { cwd: rootDir, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, conn);
    proc.stderr!.on("data", (d) => client.stderr.push(String(d)));
    conn.listen();
    await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(rootDir).href, capabilities: {}, workspaceFolders: null });
    await conn.sendNotification("initialized", {});
    return client;
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text } });
  }

  /** Sends one incremental edit (range replaced by text); returns the new version. */
  edit(uri: string, range: Rng, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  replaceAll(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  hints(uri: string, range: Rng = { start: { line: 0, character: 0 }, end: { line: 100000, character: 0 } }): Promise<{ position: Pos; label: string; tooltip?: string }[]> {
    return this.conn.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range });
  }

  hover(uri: string, position: Pos): Promise<{ contents: { value: string } } | null> {
    return this.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position });
  }

  codeLenses(uri: string): Promise<{ range: Rng; command: { title: string; command: string; arguments?: unknown[] } }[]> {
    return this.conn.sendRequest("textDocument/codeLens", { textDocument: { uri } });
  }

  codeActions(uri: string, range: Rng, diagnostics: Diag[] = []): Promise<{ title: string; edit: { changes: Record<string, { range: Rng; newText: string }[]> } }[]> {
    return this.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range, context: { diagnostics } });
  }

  /** Waits for diagnostics published for the document's current version. */
  async waitDiagnostics(uri: string, timeoutMs = 10000): Promise<Diag[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.diagnostics.get(uri);
      if (d && (d.version === undefined || d.version === this.versions.get(uri))) return d.diagnostics;
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} v${this.versions.get(uri)} within ${timeoutMs} ms`);
      await new Promise<void>((r) => { const t = setTimeout(r, 100); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
      void this.conn.sendNotification("exit");
    } catch { /* the server may already be gone */ }
    this.conn.dispose();
    setTimeout(() => { if (this.proc.exitCode === null) this.proc.kill(); }, 500).unref();
  }
}

export const corpusDir = join(repo, "test", "lsp", "corpus");
export const repoRoot = repo;
