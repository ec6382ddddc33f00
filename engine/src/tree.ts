import { DeviceArray } from "./array.js";
import { LocatedError } from "./ir/source.js";

/**
 * Pytrees: nested JS arrays, plain objects and registered classes whose leaves are arrays
 * (and numbers). null and undefined are empty subtrees, as None is in JAX. Object keys are
 * visited in sorted order, like JAX's dicts, so structures compare independently of insertion.
 */
export type PyTree = unknown;

interface Registration<T = any> {
  readonly name: string;
  flatten(x: T): [children: unknown[], aux: unknown];
  unflatten(aux: unknown, children: unknown[]): T;
}
const registry = new Map<Function, Registration>();

/** Registers a class as a pytree node (its instances are traversed, not treated as leaves). */
export function registerPytreeNode<T>(cls: abstract new (...a: any[]) => T, flatten: (x: T) => [unknown[], unknown], unflatten: (aux: unknown, children: unknown[]) => T) {
  registry.set(cls, { name: cls.name, flatten, unflatten });
}

type Node =
  | { kind: "leaf" }
  | { kind: "none"; value: null | undefined }
  | { kind: "list"; children: Node[] }
  | { kind: "dict"; keys: string[]; children: Node[]; frozen: boolean }
  | { kind: "custom"; reg: Registration; aux: unknown; children: Node[] };

export class TreeDef {
  /** @internal */
  constructor(readonly node: Node, readonly numLeaves: number) {}
  equals(o: TreeDef): boolean { return this.toString() === o.toString(); }
  toString(): string { return show(this.node); }
  /** Child structures of the top node. */
  children(): TreeDef[] {
    const n = this.node;
    const kids = n.kind === "list" || n.kind === "dict" || n.kind === "custom" ? n.children : [];
    return kids.map((c) => new TreeDef(c, countLeaves(c)));
  }
}

function show(n: Node): string {
  switch (n.kind) {
    case "leaf": return "*";
    case "none": return String(n.value);
    case "list": return `[${n.children.map(show).join(", ")}]`;
    case "dict": return `{${n.keys.map((k, i) => `${JSON.stringify(k)}: ${show(n.children[i]!)}`).join(", ")}}`;
    case "custom": return `${n.reg.name}(${JSON.stringify(n.aux) ?? ""})[${n.children.map(show).join(", ")}]`;
  }
}
function countLeaves(n: Node): number {
  switch (n.kind) {
    case "leaf": return 1;
    case "none": return 0;
    default: return n.children.reduce((s, c) => s + countLeaves(c), 0);
  }
}

const isPlainObject = (x: object) => {
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
};

export type IsLeaf = (x: unknown) => boolean;

/**
 * How a frozen object is rebuilt by unflatten/map: Object.freeze by default; the nn module
 * sets its own (frozen variables that print with shapes, like Flax's FrozenDict).
 */
let freezeDict: (o: Record<string, unknown>) => Record<string, unknown> = Object.freeze;
export function setFrozenDictFactory(f: (o: Record<string, unknown>) => Record<string, unknown>) { freezeDict = f; }

export function flatten(tree: PyTree, isLeaf?: IsLeaf): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const walk = (x: unknown): Node => {
    if (isLeaf?.(x)) { leaves.push(x); return { kind: "leaf" }; }
    if (x === null || x === undefined) return { kind: "none", value: x };
    if (x instanceof DeviceArray || typeof x !== "object") { leaves.push(x); return { kind: "leaf" }; }
    if (Array.isArray(x)) return { kind: "list", children: x.map(walk) };
    const reg = registry.get(x.constructor);
    if (reg) {
      const [children, aux] = reg.flatten(x);
      return { kind: "custom", reg, aux, children: children.map(walk) };
    }
    if (isPlainObject(x)) {
      const keys = Object.keys(x).sort();
      return { kind: "dict", keys, children: keys.map((k) => walk((x as Record<string, unknown>)[k])), frozen: Object.isFrozen(x) };
    }
    leaves.push(x);
    return { kind: "leaf" };
  };
  const node = walk(tree);
  return [leaves, new TreeDef(node, leaves.length)];
}

export function unflatten(def: TreeDef, leaves: readonly unknown[]): any {
  if (leaves.length !== def.numLeaves) throw new LocatedError(`tree.unflatten: structure ${def} has ${def.numLeaves} leaves but ${leaves.length} were given`);
  let i = 0;
  const build = (n: Node): unknown => {
    switch (n.kind) {
      case "leaf": return leaves[i++];
      case "none": return n.value;
      case "list": return n.children.map(build);
      case "dict": {
        const o: Record<string, unknown> = {};
        n.keys.forEach((k, j) => { o[k] = build(n.children[j]!); });
        return n.frozen ? freezeDict(o) : o;
      }
      case "custom": return n.reg.unflatten(n.aux, n.children.map(build));
    }
  };
  return build(def.node);
}

export const leaves = (tree: PyTree, isLeaf?: IsLeaf): unknown[] => flatten(tree, isLeaf)[0];
export const structure = (tree: PyTree, isLeaf?: IsLeaf): TreeDef => flatten(tree, isLeaf)[1];

/** Applies fn to corresponding leaves of one or more trees of the same structure. */
export function map<T = any>(fn: (...leaves: any[]) => unknown, tree: T, ...rest: PyTree[]): T {
  const [ls, def] = flatten(tree);
  const others = rest.map((r, k) => {
    const [l2, d2] = flatten(r);
    if (!d2.equals(def)) throw new LocatedError(`tree.map: tree ${k + 1} has structure ${d2}, expected ${def}`);
    return l2;
  });
  return unflatten(def, ls.map((x, i) => fn(x, ...others.map((o) => o[i]))));
}

/** Reduces over the leaves. */
export function reduce<A>(fn: (acc: A, leaf: any) => A, tree: PyTree, initial: A): A {
  return leaves(tree).reduce(fn as (a: unknown, b: unknown) => A, initial) as A;
}

/** [tree of first elements, tree of second elements] from a tree of pairs (jax.tree.transpose for the common case). */
export function transpose(outer: TreeDef, inner: TreeDef, tree: PyTree): any {
  const outerLeaves = flatten(tree, (x) => flatten(x)[1].equals(inner))[0];
  if (outerLeaves.length !== outer.numLeaves) throw new LocatedError("tree.transpose: tree does not match the outer structure");
  const innerLists = outerLeaves.map((x) => flatten(x)[0]);
  return unflatten(inner, Array.from({ length: inner.numLeaves }, (_, j) => unflatten(outer, innerLists.map((l) => l[j]))));
}

export const tree = { flatten, unflatten, leaves, structure, map, reduce, transpose, registerPytreeNode };
