// The paths /api/health hides from a caller without the token (src/collector/publicHealth.ts),
// in the shapes the store's warnings and Node's errors write them: bare and quoted, with
// spaces in folder names, POSIX and Windows; and text that is not a path left alone.

import { describe, expect, it } from 'vitest';
import { hidePaths, withoutPaths } from '../../src/collector/publicHealth';

describe('hidePaths', () => {
  it('hides a bare path with spaces up to the words that follow it, and what happened stays', () => {
    expect(
      hidePaths(
        'Spanscope: /tmp/x/Jane Doe/client work/.spanscope/packs/pack-000001.json is damaged: 1 entry does not match their checksum; a copy as it was: /tmp/x/Jane Doe/p.json.corrupt-1)',
      ),
    ).toBe('Spanscope: <path> is damaged: 1 entry does not match their checksum; a copy as it was: <path>)');
    expect(hidePaths('moved it to /home/jane/a b/c.corrupt-2; kept 2 entries that check out, lost 1')).toBe(
      'moved it to <path>; kept 2 entries that check out, lost 1',
    );
    expect(hidePaths('could not remove 2 pack(s): /home/j/a b/p1.json: EBUSY; /home/j/p2.json: EPERM')).toBe(
      'could not remove 2 pack(s): <path>: EBUSY; <path>: EPERM',
    );
  });

  it('hides quoted paths whole, and Windows ones', () => {
    expect(
      hidePaths(
        "EISDIR: illegal operation on a directory, rename '/tmp/Jane Doe/.spanscope/packs/.p.tmp' -> '/tmp/Jane Doe/.spanscope/packs/p.json'",
      ),
    ).toBe("EISDIR: illegal operation on a directory, rename '<path>' -> '<path>'");
    expect(hidePaths('the store in C:\\Users\\Jane Doe\\work\\.spanscope was written by an earlier version')).toBe(
      'the store in <path> was written by an earlier version',
    );
    expect(hidePaths("ENOSPC: no space left on device, write 'D:/data/x.json'")).toBe(
      "ENOSPC: no space left on device, write '<path>'",
    );
  });

  it('leaves text without paths as it is', () => {
    for (const text of [
      'recovered 3 trace(s) from the packs the index did not know',
      'ratio 1/2 at http://127.0.0.1:7726/api',
      'ENOSPC: no space left on device',
    ])
      expect(hidePaths(text)).toBe(text);
  });

  it('hides them in the reason and every problem, and keeps the counts', () => {
    const health = withoutPaths({
      status: 'degraded',
      reason: "EIO: i/o error, write '/home/jane/s/p.json'",
      since: '2026-12-07T00:00:00Z',
      unwritten: 4,
      problems: ['/home/jane/s/p.json is damaged'],
    });
    expect(health).toEqual({
      status: 'degraded',
      reason: "EIO: i/o error, write '<path>'",
      since: '2026-12-07T00:00:00Z',
      unwritten: 4,
      problems: ['<path> is damaged'],
    });
  });
});
