import { describe, expect, it } from 'vitest';
import { parseFrames, splitTraceback } from '../../src/core/display/tracebacks';
import { editorFileLink } from '../../webview/transport/stackFrames';

const PY = `Traceback (most recent call last):
  File "/home/me/app.py", line 12, in main
    answer = chain(q)
  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed
  File "/home/me/lib/chain.py", line 40, in chain
    raise ValueError("bad")
ValueError: bad`;

const JS = `TypeError: boom
    at handler (/srv/app/src/handler.js:12:5)
    at async Promise.all (index 0)
    at /srv/app/src/main.mjs:3:17
    at Object.<anonymous> (file:///srv/app/dist/with%20space.mjs:7:1)
    at node:internal/main/run_main_module:28:49
    at C:\\work\\app.js:4:2`;

describe('traceback frames', () => {
  it('finds Python frames with absolute paths, skipping frozen modules', () => {
    expect(parseFrames(PY)).toEqual([
      { file: '/home/me/app.py', line: 12, function: 'main' },
      { file: '/home/me/lib/chain.py', line: 40, function: 'chain' },
    ]);
  });

  it('finds JS stack frames, with and without a function, file URLs decoded, internals skipped', () => {
    expect(parseFrames(JS)).toEqual([
      { file: '/srv/app/src/handler.js', line: 12, column: 5, function: 'handler' },
      { file: '/srv/app/src/main.mjs', line: 3, column: 17, function: undefined },
      { file: '/srv/app/dist/with space.mjs', line: 7, column: 1, function: 'Object.<anonymous>' },
      { file: 'C:\\work\\app.js', line: 4, column: 2, function: undefined },
    ]);
  });

  it('splits the text into plain parts and links that cover the location, losing nothing', () => {
    const parts = splitTraceback(PY);
    expect(parts.map((p) => p.text).join('')).toBe(PY);
    expect(parts.filter((p) => p.frame).map((p) => p.text)).toEqual([
      '"/home/me/app.py", line 12',
      '"/home/me/lib/chain.py", line 40',
    ]);
    const js = splitTraceback(JS);
    expect(js.map((p) => p.text).join('')).toBe(JS);
    expect(js.find((p) => p.frame)!.text).toBe('/srv/app/src/handler.js:12:5');
  });

  it('does not link relative paths or paths with control characters', () => {
    expect(parseFrames('  File "app.py", line 3, in x')).toEqual([]);
    expect(parseFrames('  File "/a\u0007b.py", line 3, in x')).toEqual([]);
    expect(parseFrames('    at x (relative/file.js:1:2)')).toEqual([]);
  });

  it('builds vscode:// links with the line, encoding each path segment', () => {
    expect(editorFileLink({ file: '/home/me/app.py', line: 12 })).toBe('vscode://file/home/me/app.py:12');
    expect(editorFileLink({ file: '/a b/#x?.js', line: 3, column: 9 })).toBe('vscode://file/a%20b/%23x%3F.js:3:9');
    expect(editorFileLink({ file: 'C:\\work\\app.js', line: 4 }, 'vscode-insiders')).toBe(
      'vscode-insiders://file/C:/work/app.js:4',
    );
    expect(editorFileLink({ file: 'relative.py', line: 1 })).toBeUndefined();
    expect(editorFileLink({ file: '/x.py', line: 0 })).toBeUndefined();
  });
});
