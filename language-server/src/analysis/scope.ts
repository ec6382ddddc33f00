/**
 * Lexical scopes and the journal of assignments. Branches and loops run from the same state,
 * then join what each assigned: the journal records old values so a branch can be undone.
 */
import { join, sameValue, type Value } from "./values.js";

export interface Binding {
  value: Value;
  /** Depth of the function that declared it: a write from deeper inside is a captured write. */
  readonly fnDepth: number;
  readonly name: string;
}

export class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent: Scope | undefined, readonly fnDepth: number) {}

  lookup(name: string): Binding | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.vars.get(name);
      if (b) return b;
    }
    return undefined;
  }

  declare(name: string, value: Value): Binding {
    const b: Binding = { value, fnDepth: this.fnDepth, name };
    this.vars.set(name, b);
    return b;
  }
}

interface Entry { readonly binding: Binding; readonly old: Value }

/** Records writes so that branches can be undone and their results joined. */
export class Journal {
  private readonly stack: Entry[][] = [];

  assign(binding: Binding, value: Value): void {
    this.stack[this.stack.length - 1]?.push({ binding, old: binding.value });
    binding.value = value;
  }

  /**
   * Runs each branch from the same state and leaves every binding that any branch assigned at
   * the join of the branches' results. A branch that returned or threw does not flow on.
   */
  branches(runs: readonly (() => boolean)[]): boolean {
    const olds = new Map<Binding, Value>();
    const outcomes: Map<Binding, Value>[] = [];
    let allTerminated = true;
    for (const run of runs) {
      const entries: Entry[] = [];
      this.stack.push(entries);
      let terminated = false;
      try {
        terminated = run();
      } finally {
        this.stack.pop();
        const changed = new Map<Binding, Value>();
        for (const e of entries) {
          if (!olds.has(e.binding)) olds.set(e.binding, e.old);
          changed.set(e.binding, e.binding.value);
        }
        for (let i = entries.length - 1; i >= 0; i--) entries[i]!.binding.value = entries[i]!.old;
        if (!terminated) outcomes.push(changed);
      }
      if (!terminated) allTerminated = false;
    }
    for (const [b, old] of olds) {
      let v: Value | undefined;
      for (const o of outcomes) { const x = o.get(b) ?? old; v = v ? join(v, x) : x; }
      if (v) this.assign(b, v);
    }
    return allTerminated;
  }

  /**
   * Runs a loop body to a fixpoint: the state at the loop head is the join of the state before
   * the loop and after each iteration (and at each break/continue), until it stops changing.
   */
  fixpoint(iterate: (snapshot: (extra: Map<Binding, Value>) => void) => void, maxIterations = 6): void {
    const entries: Entry[] = [];
    this.stack.push(entries);
    const initial = new Map<Binding, Value>();
    try {
      for (let i = 0; i < maxIterations; i++) {
        const head = new Map<Binding, Value>();
        for (const e of entries) if (!initial.has(e.binding)) initial.set(e.binding, e.old);
        for (const b of initial.keys()) head.set(b, b.value);
        const exits: Map<Binding, Value>[] = [];
        const before = entries.length;
        iterate((extra) => exits.push(extra));
        for (const e of entries.slice(before)) if (!initial.has(e.binding)) { initial.set(e.binding, e.old); head.set(e.binding, e.old); }
        // A binding written only on a path that broke out was undone; its value here is the initial one.
        for (const x of exits) for (const b of x.keys()) if (!head.has(b)) { initial.set(b, b.value); head.set(b, b.value); }
        let changed = false;
        for (const [b, h] of head) {
          let v = join(h, b.value);
          for (const x of exits) { const w = x.get(b); if (w) v = join(v, w); }
          if (!sameShallow(v, h)) changed = true;
          b.value = v;
        }
        if (!changed) return;
        if (i === maxIterations - 2) for (const b of head.keys()) b.value = widen(b.value);
      }
    } finally {
      this.stack.pop();
      for (const [b, old] of initial) this.stack[this.stack.length - 1]?.push({ binding: b, old });
    }
  }

  /**
   * Runs `run` with its writes kept (an enclosing branch or loop can still undo them) and
   * returns the bindings it wrote, each with its value from before.
   */
  track(run: () => void): Map<Binding, Value> {
    const entries: Entry[] = [];
    this.stack.push(entries);
    try {
      run();
    } finally {
      this.stack.pop();
      this.stack[this.stack.length - 1]?.push(...entries);
    }
    const olds = new Map<Binding, Value>();
    for (const e of entries) if (!olds.has(e.binding)) olds.set(e.binding, e.old);
    return olds;
  }

  /** Current values of every binding written in an open journal (for break/continue). */
  snapshot(): Map<Binding, Value> {
    const out = new Map<Binding, Value>();
    for (const level of this.stack) for (const e of level) out.set(e.binding, e.binding.value);
    return out;
  }
}

const sameShallow = (a: Value, b: Value) => sameValue(a, b);

/** After many iterations, give up on what still changes: it becomes unknown. */
function widen(v: Value): Value {
  if (v.kind === "array") return { ...v, shape: null };
  if (v.kind === "number") return { kind: "number" };
  return v;
}
