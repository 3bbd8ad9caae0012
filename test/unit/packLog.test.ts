// The pack log's buffers: a pack's buffer is given to a later pack once the pack leaves
// memory, so bytes read from memory must not be views of it by the time anyone awaits.

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
  it('reuses the buffers of packs that left memory, and hands out copies to readers that await', async () => {
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

    // Fill 60 MB of packs, "writing" them as flushes would, so the first leaves memory and
    // its buffer opens a later pack, whose entries overwrite it.
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 60; i++) {
      const loc = log.append(entry(JSON.stringify({ big, i })));
      log.noteTrace(loc.pack, `t${i}`);
      if (i % 4 === 3) {
        for (const write of log.takeWrites()) log.written(write);
        log.trimMemory();
      }
    }
    expect(view.toString()).not.toBe(text); // a view is good only until the next await, as readSync says
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
