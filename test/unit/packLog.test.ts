// The pack log: what it hands to readers from memory, what a flush writes of a pack and
// when, and a pack's life (open → sealed → written → garbage).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PackLog } from '../../src/store/packLog';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function entry(text: string) {
  return { parts: [Buffer.from(text)], size: Buffer.byteLength(text) };
}

describe('pack log buffers', () => {
  it("never gives a pack's buffer to a later pack: what was read from memory stays what it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanscope-packs-'));
    dirs.push(dir);
    const log = new PackLog(dir);
    log.restore(new Map());
    log.finishRestore();
    const text = JSON.stringify({ first: 'entry' });
    const first = log.append(entry(text));
    log.noteTrace(first.pack, 'first');
    const copy = (await log.read(first.pack, first.start, first.end))!;
    const view = log.readSync(first.pack, first.start, first.end)!;
    expect([copy.toString(), view.toString()]).toEqual([text, text]);

    // Fill 60 MB of packs, "writing" them as flushes would, so the first leaves memory (its
    // buffer once opened a later pack, whose entries overwrote the view).
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 60; i++) {
      const loc = log.append(entry(JSON.stringify({ big, i })));
      log.noteTrace(loc.pack, `t${i}`);
      if (i % 4 === 3) {
        for (const write of log.takeWrites()) log.written(write);
        log.trimMemory();
      }
    }
    expect(view.toString()).toBe(text);
    expect(copy.toString()).toBe(text);
    expect(log.readSync(first.pack, first.start, first.end)).toBeUndefined(); // out of memory, and never written here
  });
});

describe('pack log writes', () => {
  it('writes a pack again, whole, when it sealed while a copy of it was being written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanscope-packs-'));
    dirs.push(dir);
    const log = new PackLog(dir);
    log.restore(new Map());
    log.finishRestore();
    const first = log.append(entry(JSON.stringify({ small: 'entry' })));
    log.noteTrace(first.pack, 'small');
    const [copy] = log.takeWrites(); // the open pack as it is now, written while entries keep coming
    expect(copy).toMatchObject({ id: first.pack, whole: false });
    const big = JSON.stringify({ big: 'x'.repeat(1024 * 1024) });
    let last = first;
    while (last.pack === first.pack) {
      last = log.append(entry(big)); // the pack fills and seals before the copy is on disk
      log.noteTrace(last.pack, 'big');
    }
    log.written(copy);
    const again = log.takeWrites().find((w) => w.id === first.pack);
    expect(again?.whole).toBe(true);
    expect(again!.bytes.length).toBeGreaterThan(copy.bytes.length + 3 * big.length);
  });
});

describe("a pack's life", () => {
  it('goes open → sealed → written → garbage, each step by what happened to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanscope-packs-'));
    dirs.push(dir);
    const log = new PackLog(dir);
    log.restore(new Map());
    log.finishRestore();
    const first = log.append(entry(JSON.stringify({ trace: 'a' })));
    log.noteTrace(first.pack, 'a');
    // Open: a flush writes a copy, and it stays open (and is not retention's to take).
    for (const write of log.takeWrites()) log.written(write);
    expect(log.oldestSealed()).toBeUndefined();
    // Sealed once full: taken whole by the next flush, written once, then retention's.
    const big = JSON.stringify({ big: 'x'.repeat(1024 * 1024) });
    while (log.openId === first.pack) log.noteTrace(log.append(entry(big)).pack, 'b');
    log.releaseTrace(first.pack, 'b');
    const writes = log.takeWrites();
    expect(writes.filter((w) => w.id === first.pack).map((w) => w.whole)).toEqual([true]);
    for (const write of writes) log.written(write);
    expect(log.takeWrites().some((w) => w.id === first.pack)).toBe(false);
    expect(log.oldestSealed()).toBe(first.pack);
    // Garbage once nothing live is in it: gone from the live packs, its file listed to go once.
    log.releaseTrace(first.pack, 'a');
    expect(log.has(first.pack)).toBe(false);
    expect(log.livePacks().some(([id]) => id === first.pack)).toBe(false);
    expect(log.takeGarbage()).toEqual([first.pack]);
    expect(log.takeGarbage()).toEqual([]);
  });
});
