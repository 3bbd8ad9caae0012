// The span tree as a list of rows, the way a VS Code tree shows it: which nodes are expanded,
// which rows that makes visible, and what each navigation key does. Pure (no DOM), so the
// rules are unit-tested and the virtual list only paints `rows[i]`.
//
// Expanded state is "everything expanded except these", or after "collapse all", "everything
// collapsed except these": one flag and a set of exceptions, which stays small to persist
// whichever the user did last, and lets spans that arrive live open by default.

import type { TreeNode, TraceModel } from './traceModel';

export interface ExpansionState {
  defaultExpanded: boolean;
  exceptions: string[];
}

export type NavKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight' | 'Home' | 'End' | 'PageUp' | 'PageDown';
export const NAV_KEYS: ReadonlySet<string> = new Set<NavKey>([
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
  'PageUp',
  'PageDown',
]);

export class TreeView {
  rows: TreeNode[] = [];
  private defaultExpanded: boolean;
  private exceptions: Set<string>;
  private index: Map<TreeNode, number> | undefined;
  /** When set, only these nodes are shown (search matches and their ancestors). */
  private include: Set<TreeNode> | undefined;

  constructor(
    readonly model: TraceModel,
    expansion: ExpansionState = { defaultExpanded: true, exceptions: [] },
  ) {
    this.defaultExpanded = expansion.defaultExpanded;
    this.exceptions = new Set(expansion.exceptions);
    this.refresh();
  }

  get expansion(): ExpansionState {
    return { defaultExpanded: this.defaultExpanded, exceptions: [...this.exceptions] };
  }

  isExpanded(node: TreeNode): boolean {
    return this.exceptions.has(this.model.keyOf(node)) !== this.defaultExpanded;
  }

  hasChildren(node: TreeNode): boolean {
    if (!this.include) return node.children.length > 0;
    return node.children.some((c) => this.include!.has(c));
  }

  setExpanded(node: TreeNode, expanded: boolean): boolean {
    if (!this.hasChildren(node) || this.isExpanded(node) === expanded) return false;
    const key = this.model.keyOf(node);
    if (expanded === this.defaultExpanded) this.exceptions.delete(key);
    else this.exceptions.add(key);
    this.refresh();
    return true;
  }

  toggle(node: TreeNode): boolean {
    return this.setExpanded(node, !this.isExpanded(node));
  }

  expandAll(): void {
    this.defaultExpanded = true;
    this.exceptions.clear();
    this.refresh();
  }

  /** Collapses every span but leaves the trace row open, so its top-level spans stay in view. */
  collapseAll(): void {
    this.defaultExpanded = false;
    this.exceptions = new Set([this.model.keyOf(this.model.root)]);
    this.refresh();
  }

  /** Expands every ancestor of the node so it has a row; returns that row's index. */
  reveal(node: TreeNode): number {
    let changed = false;
    for (let p = this.model.parentOf(node); p; p = this.model.parentOf(p)) {
      if (!this.isExpanded(p)) {
        const key = this.model.keyOf(p);
        if (this.defaultExpanded) this.exceptions.delete(key);
        else this.exceptions.add(key);
        changed = true;
      }
    }
    if (changed) this.refresh();
    return this.indexOf(node);
  }

  setFilter(include: Set<TreeNode> | undefined): void {
    this.include = include;
    this.refresh();
  }

  indexOf(node: TreeNode | undefined): number {
    if (!node) return -1;
    // The trace row is always first: opening a trace selects it without indexing 100k rows.
    if (this.rows[0] === node) return 0;
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.rows.length; i++) this.index.set(this.rows[i], i);
    }
    return this.index.get(node) ?? -1;
  }

  /** Re-flattens after the tree's shape or the expanded state changed. Iterative: depth is unbounded. */
  refresh(): void {
    const out: TreeNode[] = [];
    const stack: TreeNode[] = [this.model.root];
    const include = this.include;
    while (stack.length) {
      const node = stack.pop()!;
      out.push(node);
      if (node.children.length && this.isExpanded(node)) {
        for (let i = node.children.length - 1; i >= 0; i--) {
          const child = node.children[i];
          if (!include || include.has(child)) stack.push(child);
        }
      }
    }
    this.rows = out;
    this.index = undefined;
  }

  /**
   * What a navigation key does from the focused row, as in VS Code's trees: up/down move,
   * right expands a collapsed parent or steps into its first child, left collapses an
   * expanded parent or steps out to the parent. Returns the row to focus (maybe the same).
   */
  navigate(from: number, key: NavKey, pageSize: number): number {
    const last = this.rows.length - 1;
    if (last < 0) return -1;
    const at = Math.min(Math.max(from, 0), last);
    const node = this.rows[at];
    switch (key) {
      case 'ArrowUp':
        return Math.max(0, from < 0 ? 0 : at - 1);
      case 'ArrowDown':
        return from < 0 ? 0 : Math.min(last, at + 1);
      case 'Home':
        return 0;
      case 'End':
        return last;
      case 'PageUp':
        return Math.max(0, at - Math.max(1, pageSize - 1));
      case 'PageDown':
        return Math.min(last, at + Math.max(1, pageSize - 1));
      case 'ArrowRight':
        if (!this.hasChildren(node)) return at;
        if (!this.isExpanded(node)) {
          this.setExpanded(node, true);
          return this.indexOf(node);
        }
        return at + 1;
      case 'ArrowLeft': {
        if (this.hasChildren(node) && this.isExpanded(node)) {
          this.setExpanded(node, false);
          return this.indexOf(node);
        }
        const parent = this.model.parentOf(node);
        return parent ? this.indexOf(parent) : at;
      }
    }
  }
}
