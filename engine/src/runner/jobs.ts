/**
 * Messages between the runner's controller and its child process (over Node's IPC channel).
 * Internal to the runner: callers see only the protocol (protocol.ts).
 */
import type { RunnerMessage } from "./protocol.js";

export interface RunJob {
  readonly op: "run";
  readonly mode: "run" | "profile";
  readonly file: string;
  readonly bundle: string;
  readonly engine: string;
  readonly fn?: string;
  readonly backend?: string;
  readonly dims: Record<string, number>;
  /** A program's command-line arguments. */
  readonly args: readonly string[];
  readonly maxResultBytes?: number;
  /** Where a profile's Chrome trace goes. */
  readonly traceOut?: string;
}
export interface FetchJob {
  readonly op: "fetch";
  readonly handle: string;
  readonly start: number[];
  readonly stop: number[];
  readonly step?: number[];
}
export type Job = RunJob | FetchJob;

/** Child -> controller: protocol messages (the controller adds request ids), then `done`. */
export type ChildMessage =
  | { readonly kind: "message"; readonly message: RunnerMessage }
  | { readonly kind: "done"; readonly ok: boolean }
  | { readonly kind: "alive" };
