// The order retention by count drops traces in: by arrival (when the store first saw the
// trace), never by a time the client sent, and never a trace still running — one that has
// not finished and received data in the last minute (ACTIVE_MS). Every trace is a node of a
// doubly linked list in arrival order (a Map finds its node), so arriving, changing and
// leaving are O(1). Finding the oldest droppable trace walks from the oldest end past the
// running ones; a cursor remembers where the walk stopped, so the running traces at the old
// end are stepped over once, not once per drop. The walk starts again from the oldest end
// when one of them may have stopped running (its minute passed: `revisitAt`; or it finished).

/** A trace that received data within this long, and has not finished, is never dropped. */
export const ACTIVE_MS = 60_000;

interface Node {
  id: string;
  prev?: Node;
  next?: Node;
  /** When it last received data (this process's clock, ms); 0: not since the store opened. */
  lastData: number;
  running: boolean;
  /** Stepped over by the walk as running (or spared): a change to it may make it droppable. */
  skipped: boolean;
}

export class ArrivalOrder {
  private readonly nodes = new Map<string, Node>();
  private head?: Node;
  private tail?: Node;
  /** Where the next walk goes on from; undefined: from the oldest; null: past the newest. */
  private cursor?: Node | null;
  private revisitAt = Infinity;
  /** Nodes the walks looked at, for tests that check the cost per drop stays O(1) amortised. */
  visits = 0;

  get size(): number {
    return this.nodes.size;
  }

  /** Oldest first: what `load` takes back. */
  *ids(): Iterable<string> {
    for (let n = this.head; n; n = n.next) yield n.id;
  }

  /** Traces known at open, oldest arrival first: none received data since. */
  load(ids: Iterable<string>): void {
    for (const id of ids) this.append({ id, lastData: 0, running: false, skipped: false });
  }

  /** A trace received data at `now`: a new one arrives last; `running`: it has not finished. */
  touch(id: string, running: boolean, now: number): void {
    const node = this.nodes.get(id);
    if (!node) return this.append({ id, lastData: now, running, skipped: false });
    node.lastData = now;
    node.running = running;
    if (node.skipped && !running) this.cursor = undefined; // finished: droppable now, maybe behind the cursor
  }

  remove(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    if (this.cursor === node) this.cursor = node.next ?? null;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    this.nodes.delete(id);
  }

  /** Whether retention must leave the trace alone at `now`. */
  running(id: string, now: number): boolean {
    const node = this.nodes.get(id);
    return node !== undefined && isRunning(node, now);
  }

  /**
   * The trace that arrived longest ago and may be dropped at `now` (not running, not
   * `spared`); undefined when every one is. The caller removes it (or retention stops).
   */
  oldestDroppable(now: number, spared?: (id: string) => boolean): string | undefined {
    if (this.cursor === undefined || now >= this.revisitAt) {
      this.cursor = this.head ?? null;
      this.revisitAt = Infinity;
    }
    for (let node: Node | undefined = this.cursor ?? undefined; node; node = node.next) {
      this.visits++;
      if (isRunning(node, now)) {
        node.skipped = true;
        this.revisitAt = Math.min(this.revisitAt, node.lastData + ACTIVE_MS);
        continue;
      }
      if (spared?.(node.id)) {
        node.skipped = true;
        this.revisitAt = now; // spared for this apply only: the next walk starts over
        continue;
      }
      node.skipped = false;
      this.cursor = node;
      return node.id;
    }
    this.cursor = null;
    return undefined;
  }

  private append(node: Node): void {
    this.nodes.set(node.id, node);
    node.prev = this.tail;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    if (this.cursor === null) this.cursor = node;
  }
}

function isRunning(node: Node, now: number): boolean {
  return node.running && now - node.lastData < ACTIVE_MS;
}
