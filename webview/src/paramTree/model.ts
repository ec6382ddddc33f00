/**
 * The explorer's model: a result tree (and optionally the previous run's) flattened into nodes
 * with key paths, per-subtree totals (parameters, bytes, leaves, NaN/Inf leaves) and the
 * comparison with the previous run. Pure: no DOM, so it is cheap to test and to reuse.
 */
import type { ArrayLeaf, TreeNode } from "../../../engine/src/runner/protocol.js";
import { shapeLabel } from "../../../engine/src/runner/protocol.js";
import { DTYPE_BYTES } from "../shared/format.js";

/** How a node compares with the previous run (undefined when there is no previous run). */
export type Change = "same" | "changed" | "new" | "removed";

export interface Node {
  id: number;
  key: string;
  path: string[];
  /** path.join("/"), lower-cased, for the filter. */
  pathLower: string;
  depth: number;
  parent: Node | null;
  kind: TreeNode["kind"];
  /** For containers: children in order (removed ones after the current ones). */
  children: Node[];
  /** For an array leaf: the leaf now (or, when removed, the leaf it was). */
  leaf?: ArrayLeaf;
  /** The previous run's leaf at this path (array leaves only). */
  prevLeaf?: ArrayLeaf;
  /** A one-line text: value text, class name, ref target, or list length. */
  text: string;
  /** Elements left out by the runner's budget (lists, dicts). */
  omitted?: number;
  change?: Change;
  /** Totals over the subtree (current leaves only; removed ones are not counted). */
  params: number;
  bytes: number;
  leaves: number;
  nanLeaves: number;
  infLeaves: number;
  /** Leaves below that changed / are new / were removed. */
  changed: number;
  added: number;
  removed: number;
}

export interface Model {
  /** Top-level nodes (the root's entries; the root itself when it is a leaf). */
  roots: Node[];
  /** Every node in depth-first order. */
  all: Node[];
  /** Totals for the whole tree. */
  total: Node;
  hasPrevious: boolean;
}

/** The path text users copy: `params/Dense_0/kernel`. */
export function pathText(path: readonly string[]): string {
  return path.join("/");
}
/** Stable identity of a path across runs (keys may contain "/"). */
export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

export function buildModel(tree: TreeNode, previous?: TreeNode): Model {
  const all: Node[] = [];
  const hasPrevious = previous !== undefined;
  const total = makeNode(all, "", [], -1, null, tree.kind, "");
  total.id = -1;
  all.length = 0;

  const walk = (cur: TreeNode | undefined, prev: TreeNode | undefined, key: string, path: string[], depth: number, parent: Node | null): Node => {
    const removed = cur === undefined;
    const t = (cur ?? prev)!;
    const node = makeNode(all, key, path, depth, parent, t.kind, "");
    if (hasPrevious) node.change = removed ? "removed" : prev === undefined ? "new" : "same";
    switch (t.kind) {
      case "array": {
        node.leaf = t;
        node.text = shapeLabel(t);
        if (!removed && prev?.kind === "array") {
          node.prevLeaf = prev;
          node.change = leafChanged(t, prev) ? "changed" : "same";
        } else if (!removed && hasPrevious && prev !== undefined) {
          node.change = "changed"; // was something else
        }
        if (!removed) {
          node.params = t.size;
          node.bytes = t.size * DTYPE_BYTES[t.dtype];
          node.leaves = 1;
          node.nanLeaves = t.stats.nan > 0 ? 1 : 0;
          node.infLeaves = t.stats.inf > 0 ? 1 : 0;
        }
        break;
      }
      case "value":
        node.text = t.type === "string" ? JSON.stringify(t.text) : t.text;
        if (!removed && prev?.kind === "value" && (prev.text !== t.text || prev.type !== t.type)) node.change = "changed";
        else if (!removed && prev !== undefined && prev.kind !== "value") node.change = "changed";
        break;
      case "ref":
        node.text = `↻ ${pathText(t.path) || "(root)"}`;
        break;
      case "list": {
        const p = prev?.kind === "list" ? prev : undefined;
        const n = Math.max(t.items.length, removed ? 0 : p?.items.length ?? 0);
        const items = removed ? [] : t.items;
        for (let i = 0; i < (removed ? t.items.length : n); i++) {
          const c = removed ? undefined : items[i];
          const pc = removed ? t.items[i] : p?.items[i];
          node.children.push(walk(c, pc, String(i), [...path, String(i)], depth + 1, node));
        }
        node.text = `list[${t.items.length}${t.omitted ? ` + ${t.omitted} more` : ""}]`;
        node.omitted = t.omitted;
        break;
      }
      case "dict": {
        const p = prev?.kind === "dict" ? prev : undefined;
        if (removed) {
          for (const e of t.entries) node.children.push(walk(undefined, e.value, e.key, [...path, e.key], depth + 1, node));
        } else {
          const prevByKey = new Map<string, TreeNode>();
          if (p) for (const e of p.entries) prevByKey.set(e.key, e.value);
          for (const e of t.entries) {
            node.children.push(walk(e.value, prevByKey.get(e.key), e.key, [...path, e.key], depth + 1, node));
            prevByKey.delete(e.key);
          }
          for (const [k, v] of prevByKey) node.children.push(walk(undefined, v, k, [...path, k], depth + 1, node));
        }
        node.text = t.className ?? "";
        node.omitted = t.omitted;
        break;
      }
    }
    // Totals and comparison counts bubble up.
    if (node.kind === "array" || node.kind === "value") {
      if (node.change === "changed") node.changed = 1;
      else if (node.change === "new") node.added = 1;
      else if (node.change === "removed") node.removed = 1;
    }
    for (const c of node.children) {
      node.params += c.params; node.bytes += c.bytes; node.leaves += c.leaves;
      node.nanLeaves += c.nanLeaves; node.infLeaves += c.infLeaves;
      node.changed += c.changed; node.added += c.added; node.removed += c.removed;
    }
    if (hasPrevious && node.children.length && node.change === "same" && node.changed + node.added + node.removed > 0) node.change = "changed";
    return node;
  };

  let roots: Node[];
  if (tree.kind === "dict" || tree.kind === "list") {
    // The root's entries are the top-level rows; the root's totals are the header's.
    const rootNode = walk(tree, previous, "", [], -1, null);
    roots = rootNode.children;
    for (const r of roots) r.parent = null;
    all.shift();
    for (const n of all) n.depth = n.path.length - 1;
    Object.assign(total, rootNode, { id: -1, children: roots });
  } else {
    const only = walk(tree, previous, "(result)", [], 0, null);
    roots = [only];
    Object.assign(total, only, { id: -1 });
  }
  all.forEach((n, i) => { n.id = i; });
  return { roots, all, total, hasPrevious };
}

function makeNode(all: Node[], key: string, path: string[], depth: number, parent: Node | null, kind: TreeNode["kind"], text: string): Node {
  const node: Node = {
    id: all.length, key, path, pathLower: pathText(path).toLowerCase(), depth, parent, kind, children: [], text,
    params: 0, bytes: 0, leaves: 0, nanLeaves: 0, infLeaves: 0, changed: 0, added: 0, removed: 0,
  };
  all.push(node);
  return node;
}

/** Whether a leaf differs from the previous run's: shape, dtype, statistics or (when both are sent) values. */
export function leafChanged(a: ArrayLeaf, b: ArrayLeaf): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return true;
  if (a.data && b.data) return a.data.bytes !== b.data.bytes || a.data.storage !== b.data.storage;
  const s = a.stats, t = b.stats;
  return s.min !== t.min || s.max !== t.max || s.mean !== t.mean || s.std !== t.std || s.nan !== t.nan || s.inf !== t.inf;
}

/** Mean now minus mean before (null when either is unknown). */
export function meanDelta(n: Node): number | null {
  const a = n.leaf?.stats.mean, b = n.prevLeaf?.stats.mean;
  return a == null || b == null ? null : a - b;
}

// ---- visible rows ------------------------------------------------------------------------------

export interface ViewOptions {
  /** Whitespace-separated terms; a node matches when its path contains every term (case-insensitive). */
  filter: string;
  /** Show only nodes that changed, are new or were removed (and their ancestors). */
  changedOnly: boolean;
  isExpanded(node: Node): boolean;
}

/**
 * The rows on screen, in order: expanded subtrees, with the filter applied. A node that matches
 * shows its subtree as expanded by the user; a node with matching descendants is shown as an
 * ancestor, opened so that they are visible (unless the user closed it while filtering).
 */
export function visibleRows(model: Model, opts: ViewOptions): Node[] {
  const terms = opts.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const filtering = terms.length > 0 || opts.changedOnly;
  const out: Node[] = [];
  if (!filtering) {
    const visit = (n: Node) => {
      out.push(n);
      if (n.children.length && opts.isExpanded(n)) for (const c of n.children) visit(c);
    };
    for (const r of model.roots) visit(r);
    return out;
  }
  const selfMatch = (n: Node) =>
    terms.every((t) => n.pathLower.includes(t)) &&
    (!opts.changedOnly || (n.change !== undefined && n.change !== "same"));
  // A node is shown when it, or something below it, matches.
  const shown = new Uint8Array(model.all.length);
  const mark = (n: Node): boolean => {
    let any = selfMatch(n);
    for (const c of n.children) if (mark(c)) any = true;
    if (any) shown[n.id] = 1;
    return any;
  };
  for (const r of model.roots) mark(r);
  const visit = (n: Node) => {
    if (!shown[n.id]) return;
    out.push(n);
    if (n.children.length && opts.isExpanded(n)) for (const c of n.children) visit(c);
  };
  for (const r of model.roots) visit(r);
  return out;
}

/**
 * A synthetic result of `leaves` small arrays in two levels of dicts, shaped like a real one
 * (stats, base64 data): the panel validates and models one at load so that the first real
 * result does not pay for cold code.
 */
export function syntheticTree(leaves: number): TreeNode {
  const modules: { key: string; value: TreeNode }[] = [];
  for (let i = 0; i < leaves; i++) {
    const m = Math.floor(i / 10);
    if (!modules[m]) modules[m] = { key: `Dense_${m}`, value: { kind: "dict", entries: [] } };
    (modules[m]!.value as Extract<TreeNode, { kind: "dict" }>).entries.push({
      key: `w${i}`,
      value: {
        kind: "array", shape: [2], dtype: "float32", size: 2,
        stats: { min: 0, max: 1, mean: 0.5, std: 0.5, nan: 0, inf: 0 },
        data: { encoding: "base64", storage: "float32", bytes: "AAAAAAAAgD8=" },
      },
    });
  }
  return { kind: "dict", entries: [{ key: "params", value: { kind: "dict", entries: modules } }, { key: "step", value: { kind: "value", type: "number", text: "0" } }] };
}
