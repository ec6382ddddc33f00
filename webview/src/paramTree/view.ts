/**
 * The explorer's view: a header (what ran, totals, comparison, filter) and a virtualized ARIA
 * tree. Rows are flat, absolutely positioned, fixed height; only the rows in (and just around)
 * the viewport exist in the DOM. Focus stays on the tree element and moves with
 * aria-activedescendant, so recycling rows never loses it.
 */
import type { HostMessage, PanelMessage } from "../../../engine/src/runner/protocol.js";
import { formatBytes, formatCount, formatDelta, formatShortCount, formatStat } from "../shared/format.js";
import { glyphElement } from "./glyph.js";
import { buildModel, meanDelta, pathKey, pathText, visibleRows, type Model, type Node } from "./model.js";

export const ROW_HEIGHT = 22;
const OVERSCAN = 8;
/** Containers at depth < this are open after a result arrives (unless the user closed them). */
const OPEN_DEPTH = 2;

export interface ExplorerState {
  filter: string;
  changedOnly: boolean;
  /** Path keys the user opened / closed, overriding the default. */
  open: string[];
  closed: string[];
  active?: string;
}

type ShowResult = Extract<HostMessage, { type: "showResult" }>;

export interface ExplorerHost {
  post(message: PanelMessage): void;
  saveState(state: ExplorerState): void;
}

export class Explorer {
  private model: Model | null = null;
  private rows: Node[] = [];
  private rowIndex = new Map<number, number>();
  private posInSet = new Int32Array(0);
  private rendered = new Map<number, HTMLElement>();
  private active: Node | null = null;
  private open: Set<string>;
  private closed: Set<string>;
  /** Nodes closed by the user while a filter is on (cleared when the filter changes). */
  private filterClosed = new Set<string>();
  private filter: string;
  private changedOnly: boolean;
  private pendingActive: string | undefined;
  private frame = 0;

  readonly el: HTMLElement;
  private readonly header: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly backendEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly changedOnlyBox: HTMLInputElement;
  private readonly changedOnlyLabel: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly sizer: HTMLElement;
  private readonly emptyEl: HTMLElement;

  constructor(private readonly host: ExplorerHost, state: Partial<ExplorerState>) {
    this.open = new Set(state.open ?? []);
    this.closed = new Set(state.closed ?? []);
    this.filter = state.filter ?? "";
    this.changedOnly = state.changedOnly ?? false;
    this.pendingActive = state.active;

    this.el = h("div", "explorer");
    this.header = h("header", "toolbar");
    const titleRow = h("div", "title-row");
    this.titleEl = h("span", "title");
    this.backendEl = h("span", "badge backend");
    titleRow.append(this.titleEl, this.backendEl);
    this.summaryEl = h("div", "summary");
    this.summaryEl.setAttribute("aria-live", "polite");

    const controls = h("div", "controls");
    this.filterInput = h("input", "filter") as HTMLInputElement;
    this.filterInput.type = "search";
    this.filterInput.placeholder = "Filter by path (e.g. Dense_0 kernel)";
    this.filterInput.setAttribute("aria-label", "Filter by path");
    this.filterInput.value = this.filter;
    this.filterInput.addEventListener("input", () => this.setFilter(this.filterInput.value));
    this.filterInput.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "Enter") { e.preventDefault(); this.focusTree(); }
      if (e.key === "Escape" && this.filterInput.value) { e.preventDefault(); this.filterInput.value = ""; this.setFilter(""); }
    });
    this.changedOnlyLabel = h("label", "changed-only");
    this.changedOnlyBox = h("input") as HTMLInputElement;
    this.changedOnlyBox.type = "checkbox";
    this.changedOnlyBox.checked = this.changedOnly;
    this.changedOnlyBox.addEventListener("change", () => { this.changedOnly = this.changedOnlyBox.checked; this.filterClosed.clear(); this.refresh(); this.save(); });
    this.changedOnlyLabel.append(this.changedOnlyBox, " Changed only");
    const expandAll = button("Expand all", "⊞", () => this.setAll(true));
    const collapseAll = button("Collapse all", "⊟", () => this.setAll(false));
    controls.append(this.filterInput, this.changedOnlyLabel, expandAll, collapseAll);
    this.header.append(titleRow, this.summaryEl, controls);

    this.tree = h("div", "tree");
    this.tree.setAttribute("role", "tree");
    this.tree.setAttribute("aria-label", "Result tree");
    this.tree.tabIndex = 0;
    this.sizer = h("div", "sizer");
    this.sizer.setAttribute("role", "none");
    this.tree.append(this.sizer);
    this.tree.addEventListener("scroll", () => this.schedule());
    this.tree.addEventListener("keydown", (e) => this.onKey(e));
    this.tree.addEventListener("click", (e) => this.onClick(e));
    this.tree.addEventListener("focus", () => { if (!this.active && this.rows.length) this.setActive(this.rows[0]!); });
    new ResizeObserver(() => this.schedule()).observe(this.tree);

    this.emptyEl = h("div", "empty");
    this.emptyEl.textContent = "No result yet. Run a function with its Run lens to see its result here.";
    this.el.append(this.header, this.tree, this.emptyEl);
    this.el.classList.add("is-empty");
  }

  // ---- messages --------------------------------------------------------------------------------

  /** Builds the model and renders the visible rows synchronously; returns the row and leaf counts. */
  show(msg: ShowResult): { rows: number; leaves: number } {
    const model = buildModel(msg.tree, msg.previous);
    this.model = model;
    const pos = new Int32Array(model.all.length);
    for (const r of [model.roots, ...model.all.map((n) => n.children)]) r.forEach((c, i) => { pos[c.id] = i + 1; });
    this.posInSet = pos;
    this.rendered.forEach((el) => el.remove());
    this.rendered.clear();
    this.el.classList.remove("is-empty");
    this.el.classList.toggle("has-previous", model.hasPrevious);
    this.titleEl.textContent = msg.label;
    this.titleEl.title = msg.label;
    this.backendEl.textContent = msg.backend;
    this.renderSummary();
    const activeKey = this.active ? pathKey(this.active.path) : this.pendingActive;
    this.active = null;
    this.refresh(false);
    if (activeKey) {
      const n = this.rows.find((r) => pathKey(r.path) === activeKey);
      if (n) this.setActive(n, false);
    }
    this.renderWindow();
    return { rows: this.rows.length, leaves: model.total.leaves };
  }

  clear(reason: string): void {
    this.model = null;
    this.rows = [];
    this.active = null;
    this.rendered.forEach((el) => el.remove());
    this.rendered.clear();
    this.sizer.style.height = "0px";
    this.tree.removeAttribute("aria-activedescendant");
    this.el.classList.add("is-empty");
    this.emptyEl.textContent = reason || "No result.";
  }

  // ---- state -----------------------------------------------------------------------------------

  private isExpanded = (n: Node): boolean => {
    const k = pathKey(n.path);
    if (this.filtering()) return !this.filterClosed.has(k);
    if (this.open.has(k)) return true;
    if (this.closed.has(k)) return false;
    return n.depth < OPEN_DEPTH;
  };

  private filtering(): boolean {
    return this.filter.trim() !== "" || (this.changedOnly && !!this.model?.hasPrevious);
  }

  private setExpanded(n: Node, open: boolean): void {
    if (!n.children.length || this.isExpanded(n) === open) return;
    const k = pathKey(n.path);
    if (this.filtering()) {
      if (open) this.filterClosed.delete(k); else this.filterClosed.add(k);
    } else {
      this.open.delete(k); this.closed.delete(k);
      const byDefault = n.depth < OPEN_DEPTH;
      if (open !== byDefault) (open ? this.open : this.closed).add(k);
    }
    this.refresh();
    this.save();
  }

  private setAll(open: boolean): void {
    if (!this.model) return;
    this.filterClosed.clear();
    this.open.clear(); this.closed.clear();
    for (const n of this.model.all) {
      if (!n.children.length) continue;
      const k = pathKey(n.path);
      if (this.filtering()) { if (!open) this.filterClosed.add(k); }
      else if (open && n.depth >= OPEN_DEPTH) this.open.add(k);
      else if (!open && n.depth < OPEN_DEPTH) this.closed.add(k);
    }
    this.refresh();
    this.save();
  }

  private setFilter(text: string): void {
    this.filter = text;
    this.filterClosed.clear();
    this.refresh();
    this.save();
  }

  private save(): void {
    this.host.saveState({
      filter: this.filter, changedOnly: this.changedOnly, open: [...this.open], closed: [...this.closed],
      active: this.active ? pathKey(this.active.path) : this.pendingActive,
    });
  }

  // ---- rows ------------------------------------------------------------------------------------

  /** Recomputes the visible rows (after expand/collapse/filter) and re-renders the window. */
  private refresh(render = true): void {
    if (!this.model) return;
    this.rows = visibleRows(this.model, { filter: this.filter, changedOnly: this.changedOnly && this.model.hasPrevious, isExpanded: this.isExpanded });
    this.rowIndex.clear();
    this.rows.forEach((n, i) => this.rowIndex.set(n.id, i));
    this.sizer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    this.rendered.forEach((el) => el.remove());
    this.rendered.clear();
    if (this.active && !this.rowIndex.has(this.active.id)) {
      // The active row went out of view (collapsed ancestor or filtered): move to its nearest visible ancestor.
      let p = this.active.parent;
      while (p && !this.rowIndex.has(p.id)) p = p.parent;
      this.active = p ?? null;
    }
    this.tree.classList.toggle("no-match", this.rows.length === 0);
    if (render) this.renderWindow();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.renderWindow(); });
  }

  /** Puts the rows of the viewport (plus overscan) in the DOM and takes the others out. */
  renderWindow(): void {
    if (!this.model) return;
    const top = this.tree.scrollTop;
    const height = this.tree.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length - 1, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    for (const [id, el] of this.rendered) {
      const i = this.rowIndex.get(id);
      if (i === undefined || i < first || i > last) { el.remove(); this.rendered.delete(id); }
    }
    const frag = document.createDocumentFragment();
    for (let i = first; i <= last; i++) {
      const n = this.rows[i]!;
      if (this.rendered.has(n.id)) continue;
      const el = this.renderRow(n, i);
      this.rendered.set(n.id, el);
      frag.append(el);
    }
    this.sizer.append(frag);
    if (this.active && this.rendered.has(this.active.id)) this.tree.setAttribute("aria-activedescendant", rowId(this.active));
    else this.tree.removeAttribute("aria-activedescendant");
  }

  private renderRow(n: Node, index: number): HTMLElement {
    const row = h("div", "row");
    row.id = rowId(n);
    row.setAttribute("role", "treeitem");
    row.setAttribute("aria-level", String(n.depth + 1));
    row.setAttribute("aria-setsize", String((n.parent ? n.parent.children : this.model!.roots).length));
    row.setAttribute("aria-posinset", String(this.posInSet[n.id]));
    row.setAttribute("aria-selected", String(n === this.active));
    if (n.children.length) row.setAttribute("aria-expanded", String(this.isExpanded(n)));
    row.dataset.id = String(n.id);
    row.dataset.path = pathText(n.path);
    row.dataset.kind = n.kind;
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.style.setProperty("--depth", String(n.depth));
    if (n === this.active) row.classList.add("active");
    if (n.change) row.classList.add(`change-${n.change}`);
    if (n.nanLeaves) row.classList.add("has-nan");
    if (n.infLeaves) row.classList.add("has-inf");

    const name = h("span", "name");
    const twisty = h("span", "twisty");
    twisty.setAttribute("aria-hidden", "true");
    if (n.children.length) twisty.classList.add(this.isExpanded(n) ? "open" : "closed");
    const key = h("span", "key");
    key.textContent = n.key;
    key.title = pathText(n.path);
    name.append(twisty, key);
    row.append(name);

    const leaf = n.leaf;
    if (n.kind === "array" && leaf) {
      const shape = h("span", "shape");
      shape.textContent = n.text;
      if (n.prevLeaf && shapeChanged(leaf, n.prevLeaf)) {
        shape.classList.add("shape-changed");
        shape.title = `was ${n.prevLeaf.dtype}[${n.prevLeaf.shape.join(",")}]`;
      }
      const size = h("span", "size");
      size.textContent = formatShortCount(leaf.size);
      size.title = `${formatCount(leaf.size)} elements, ${formatBytes(n.bytes || leaf.size)}`;
      const glyphCell = h("span", "glyph-cell");
      if (leaf.size > 1) glyphCell.append(glyphElement(leaf));
      const stats = h("span", "stats");
      const s = leaf.stats;
      if (leaf.size === 1 && s.mean !== null) {
        stats.append(stat("value", "=", s.mean));
      } else {
        stats.append(stat("mean", "≈", s.mean), stat("std", "±", s.std), h("span", "range-open", "["), stat("min", "", s.min), h("span", "sep", ", "), stat("max", "", s.max), h("span", "range-close", "]"));
      }
      stats.title = `mean ${s.mean}\nstd ${s.std}\nmin ${s.min}\nmax ${s.max}\nNaN ${s.nan}\nInf ${s.inf}`;
      const flags = h("span", "flags");
      if (s.nan) flags.append(flag("nan", s.nan, `${formatCount(s.nan)} NaN of ${formatCount(leaf.size)}`));
      if (s.inf) flags.append(flag("inf", s.inf, `${formatCount(s.inf)} ±Inf of ${formatCount(leaf.size)}`));
      row.append(shape, size, glyphCell, stats, flags, this.changeCell(n));
    } else if (n.kind === "dict" || n.kind === "list") {
      const kind = h("span", "kind-text");
      kind.textContent = n.kind === "list" ? n.text : n.text || "{…}";
      const summary = h("span", "subtree");
      summary.textContent = n.leaves ? `${formatCount(n.params)} params · ${formatBytes(n.bytes)}` : `${n.children.length} entries`;
      summary.title = `${formatCount(n.params)} parameters in ${formatCount(n.leaves)} arrays, ${formatCount(n.bytes)} bytes${n.omitted ? `; ${n.omitted} entries left out` : ""}`;
      const flags = h("span", "flags");
      if (n.nanLeaves) flags.append(flag("nan", n.nanLeaves, `${formatCount(n.nanLeaves)} array(s) below hold NaN`));
      if (n.infLeaves) flags.append(flag("inf", n.infLeaves, `${formatCount(n.infLeaves)} array(s) below hold ±Inf`));
      row.append(kind, summary, flags, this.changeCell(n));
    } else {
      const value = h("span", `value value-${n.kind}`);
      value.textContent = n.text;
      value.title = n.text;
      row.append(value, this.changeCell(n));
    }
    const copy = h("button", "copy");
    copy.append(copyIcon());
    copy.tabIndex = -1;
    copy.title = `Copy path: ${pathText(n.path)}`;
    copy.setAttribute("aria-label", `Copy path ${pathText(n.path)}`);
    row.append(copy);
    return row;
  }

  private changeCell(n: Node): HTMLElement {
    const cell = h("span", "change");
    if (!n.change || n.change === "same") return cell;
    if (n.change === "new" || n.change === "removed") {
      cell.append(h("span", `badge-change ${n.change}`, n.change));
    } else if (n.kind === "array") {
      const d = meanDelta(n);
      cell.append(h("span", "badge-change changed", d === null ? "changed" : `Δμ ${formatDelta(d)}`));
      if (n.prevLeaf) cell.title = `previous: mean ${n.prevLeaf.stats.mean}, std ${n.prevLeaf.stats.std}, min ${n.prevLeaf.stats.min}, max ${n.prevLeaf.stats.max}`;
      if (d !== null) cell.dataset.meanDelta = String(d);
    } else {
      const parts = [n.changed && `${n.changed} changed`, n.added && `${n.added} new`, n.removed && `${n.removed} removed`].filter(Boolean);
      cell.append(h("span", "badge-change changed", parts.join(", ") || "changed"));
    }
    return cell;
  }

  private renderSummary(): void {
    const m = this.model!;
    const t = m.total;
    this.summaryEl.replaceChildren();
    this.summaryEl.append(h("span", "totals", `${formatCount(t.params)} params · ${formatBytes(t.bytes)} · ${formatCount(t.leaves)} arrays`));
    const arrays = (k: number) => `${formatCount(k)} ${k === 1 ? "array" : "arrays"}`;
    if (t.nanLeaves) this.summaryEl.append(h("span", "flag nan", `NaN in ${arrays(t.nanLeaves)}`));
    if (t.infLeaves) this.summaryEl.append(h("span", "flag inf", `Inf in ${arrays(t.infLeaves)}`));
    if (m.hasPrevious) {
      const parts = [`${t.changed} changed`, t.added && `${t.added} new`, t.removed && `${t.removed} removed`].filter(Boolean);
      this.summaryEl.append(h("span", "compare", `vs previous: ${parts.join(", ")}`));
    }
  }

  // ---- interaction -----------------------------------------------------------------------------

  private setActive(n: Node, reveal = true): void {
    const prev = this.active;
    this.active = n;
    this.pendingActive = undefined;
    for (const x of [prev, n]) {
      const el = x && this.rendered.get(x.id);
      if (el) { el.classList.toggle("active", x === n); el.setAttribute("aria-selected", String(x === n)); }
    }
    if (reveal) this.scrollIntoView(n);
    if (this.rendered.has(n.id)) this.tree.setAttribute("aria-activedescendant", rowId(n));
    this.save();
  }

  private scrollIntoView(n: Node): void {
    const i = this.rowIndex.get(n.id);
    if (i === undefined) return;
    const top = i * ROW_HEIGHT, bottom = top + ROW_HEIGHT;
    const h = this.tree.clientHeight;
    if (top < this.tree.scrollTop) this.tree.scrollTop = top;
    else if (bottom > this.tree.scrollTop + h) this.tree.scrollTop = bottom - h;
    this.renderWindow();
  }

  private focusTree(): void {
    this.tree.focus();
    if (!this.active && this.rows.length) this.setActive(this.rows[0]!);
  }

  /** Enter / click on a row: leaves reveal (and open in the array viewer); containers toggle. */
  private activate(n: Node): void {
    if (n.children.length) { this.setExpanded(n, !this.isExpanded(n)); return; }
    if (n.change === "removed") return;
    this.host.post({ type: "reveal", path: n.path });
    if (n.kind === "array") this.host.post({ type: "openArray", path: n.path, ...(n.leaf?.handle ? { handle: n.leaf.handle } : {}) });
  }

  private copyPath(n: Node): void {
    this.host.post({ type: "copyPath", path: n.path, text: pathText(n.path) });
    const el = this.rendered.get(n.id);
    el?.classList.add("copied");
    setTimeout(() => el?.classList.remove("copied"), 900);
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as Element;
    const rowEl = target.closest<HTMLElement>(".row");
    if (!rowEl) return;
    const n = this.nodeOfRow(rowEl);
    if (!n) return;
    this.setActive(n, false);
    this.tree.focus({ preventScroll: true });
    if (target.closest(".copy")) { this.copyPath(n); return; }
    if (target.closest(".twisty") && n.children.length) { this.setExpanded(n, !this.isExpanded(n)); return; }
    this.activate(n);
  }

  private nodeOfRow(el: HTMLElement): Node | undefined {
    return this.model?.all[Number(el.dataset.id)];
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.rows.length) return;
    const n = this.active ?? this.rows[0]!;
    const i = this.rowIndex.get(n.id) ?? 0;
    const page = Math.max(1, Math.floor(this.tree.clientHeight / ROW_HEIGHT) - 1);
    const go = (j: number) => this.setActive(this.rows[Math.max(0, Math.min(this.rows.length - 1, j))]!);
    switch (e.key) {
      case "ArrowDown": go(i + 1); break;
      case "ArrowUp": go(i - 1); break;
      case "PageDown": go(i + page); break;
      case "PageUp": go(i - page); break;
      case "Home": go(0); break;
      case "End": go(this.rows.length - 1); break;
      case "ArrowRight":
        if (n.children.length && !this.isExpanded(n)) this.setExpanded(n, true);
        else if (n.children.length) go(i + 1);
        break;
      case "ArrowLeft":
        if (n.children.length && this.isExpanded(n)) this.setExpanded(n, false);
        else if (n.parent && this.rowIndex.has(n.parent.id)) this.setActive(n.parent);
        break;
      case "Enter": this.activate(n); break;
      case " ": if (n.children.length) this.setExpanded(n, !this.isExpanded(n)); else this.activate(n); break;
      case "*": for (const s of n.parent ? n.parent.children : this.model!.roots) if (s.children.length) this.setExpanded(s, true); break;
      case "c": case "C":
        if (e.ctrlKey || e.metaKey || e.key === "c") { this.copyPath(n); break; }
        return;
      case "/": case "f":
        if (e.key === "f" && !(e.ctrlKey || e.metaKey)) return;
        this.filterInput.focus(); this.filterInput.select(); break;
      default: return;
    }
    e.preventDefault();
    if (this.active) this.scrollIntoView(this.active);
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function rowId(n: Node): string {
  return `row-${n.id}`;
}

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function stat(name: string, prefix: string, v: number | null): HTMLElement {
  const el = h("span", `stat stat-${name}`, `${prefix}${formatStat(v)}`);
  el.dataset.stat = name;
  el.dataset.value = String(v);
  return el;
}

/** A NaN/Inf marker: "NaN 3" (the count hides in narrow views). */
function flag(kind: "nan" | "inf", count: number, title: string): HTMLElement {
  const el = h("span", `flag ${kind}`, kind === "nan" ? "NaN" : "Inf");
  el.append(h("span", "count", ` ${formatShortCount(count)}`));
  el.title = title;
  return el;
}

function button(label: string, icon: string, onClick: () => void): HTMLButtonElement {
  const b = h("button", "icon-button", icon) as HTMLButtonElement;
  b.title = label;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** Two overlapping sheets (the "copy" codicon's idea), stroked in the text colour. */
function copyIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "14");
  svg.setAttribute("height", "14");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "copy-icon");
  const front = document.createElementNS(SVG_NS, "rect");
  for (const [k, v] of Object.entries({ x: 5.5, y: 5.5, width: 8, height: 8, rx: 1 })) front.setAttribute(k, String(v));
  const back = document.createElementNS(SVG_NS, "path");
  back.setAttribute("d", "M3 10.5V3.5a1 1 0 0 1 1-1h6.5");
  svg.append(back, front);
  return svg;
}

function shapeChanged(a: { shape: number[]; dtype: string }, b: { shape: number[]; dtype: string }): boolean {
  return a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]);
}
