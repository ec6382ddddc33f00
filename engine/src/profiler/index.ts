import { defaultBackendName, getBackend, liveBackends } from "../backend/registry.js";
import { closeSession, openSession } from "./recorder.js";
import { Profile } from "./profile.js";

export { Profile } from "./profile.js";
export type { ProfileEvent } from "./recorder.js";
export type { ProfileSummary, ProfileOp, ProfileCompile } from "../runner/protocol.js";

export interface ProfileOptions {
  /** The backend named in the summary (default: the default backend). */
  readonly backend?: string;
}

/** An open profile: everything the engine runs until stop() is recorded. */
export interface ProfileSession {
  /** Ends the recording (once) and returns the profile. */
  stop(): Profile;
}

/**
 * Starts recording: eager ops, jit calls (trace, compile and execution apart; cache hits and
 * misses with reasons), each step of jit programs (timed inside the backend where it can),
 * backend thread activity and live memory. Sessions may overlap; each gets the events from its
 * start to its stop. Off (no open session), the engine pays one null check per op or call.
 */
export function startProfile(opts: ProfileOptions = {}): ProfileSession {
  const backendName = opts.backend ?? defaultBackendName();
  const be = getBackend(backendName);
  const threads = (be as { info?: { threads?: number } }).info?.threads ?? 1;
  const { log, start } = openSession();
  const t0 = performance.now();
  let done: Profile | undefined;
  return {
    stop() {
      if (done) return done;
      const events = closeSession(log, start);
      // What the backends say about their times (e.g. no GPU timestamp queries), once per profile.
      const notes = liveBackends().flatMap((b) => b.profilingNotes?.() ?? []);
      done = new Profile(events, { backend: backendName, threads, start: t0, end: performance.now(), notes });
      return done;
    },
  };
}

type Profiled<R> = R extends PromiseLike<infer V> ? Promise<{ value: V; profile: Profile }> : { value: R; profile: Profile };

/**
 * profile(fn)(...args): calls fn while recording, and returns its value with the profile. An
 * async fn's promise is awaited: the result is then a promise, and the profile covers the
 * whole of it (and anything else that ran meanwhile).
 */
export function profile<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Profiled<R> {
  return (...args: A) => {
    const session = startProfile();
    let value: R;
    try {
      value = fn(...args);
    } catch (e) {
      session.stop();
      throw e;
    }
    if (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function") {
      return Promise.resolve(value).then(
        (v) => ({ value: v, profile: session.stop() }),
        (e) => { session.stop(); throw e; },
      ) as Profiled<R>;
    }
    return { value, profile: session.stop() } as Profiled<R>;
  };
}
