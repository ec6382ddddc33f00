/** The extension's settings (`tensorlens.*` in the manifest), read fresh on every use. */
import * as vscode from "vscode";

export type Backend = "native" | "reference";

export class Settings {
  /** The backend chosen from the status bar for the next runs, over the setting. */
  backendOverride: Backend | undefined;

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration("tensorlens");
  }
  backend(): Backend {
    return this.backendOverride ?? (this.config.get<Backend>("backend") ?? "native");
  }
  hintsEnabled(): boolean {
    return this.config.get<boolean>("hints.enabled") ?? true;
  }
  async setHintsEnabled(on: boolean): Promise<void> {
    // Written where the effective value comes from, so that the toggle takes effect.
    const inspect = this.config.inspect<boolean>("hints.enabled");
    const target = inspect?.workspaceFolderValue !== undefined || inspect?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await this.config.update("hints.enabled", on, target);
  }
  runTimeoutMs(): number {
    return Math.max(1, this.config.get<number>("run.timeoutSeconds") ?? 60) * 1000;
  }
  dims(): Record<string, number> {
    const raw = this.config.get<Record<string, unknown>>("run.dims") ?? {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === "number" && Number.isInteger(v) && v > 0) out[k] = v;
    return out;
  }
  maxResultBytes(): number {
    return Math.max(1, this.config.get<number>("run.maxResultMB") ?? 4) * (1 << 20);
  }
}
