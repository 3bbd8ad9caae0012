// Finding the line that raised: frames innermost first for Python (most recent call last) and
// JavaScript (innermost first), the last traceback of a chained Python exception, and the
// user's own code before a library's.

import { describe, expect, it } from 'vitest';
import { framesInnermostFirst, innermostOwnFrame } from '../../src/core/display/tracebacks';

const PY = `Traceback (most recent call last):
  File "/ws/app.py", line 40, in <module>
    main()
  File "/ws/app.py", line 33, in main
    boom()
  File "/ws/app.py", line 28, in boom
    helper()
  File "/ws/.venv/lib/python3.12/site-packages/lib/x.py", line 5, in helper
    raise ValueError("kaboom")
ValueError: kaboom`;

const CHAINED = `Traceback (most recent call last):
  File "/ws/app.py", line 10, in first
    d["x"]
KeyError: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/ws/app.py", line 20, in outer
    first()
  File "/ws/app.py", line 12, in first
    raise ValueError("kaboom")
ValueError: kaboom`;

const JS = `Error: kaboom
    at boom (/ws/src/app.ts:28:11)
    at async main (file:///ws/src/main.mjs:7:3)
    at node:internal/process/task_queues:95:5`;

const inWs = (f: string) => f.startsWith('/ws/');

describe('framesInnermostFirst', () => {
  it('reverses a Python traceback, so the raise comes first', () => {
    expect(framesInnermostFirst(PY).map((f) => [f.line, f.function])).toEqual([
      [5, 'helper'],
      [28, 'boom'],
      [33, 'main'],
      [40, '<module>'],
    ]);
  });

  it('takes the last traceback of a chained Python exception', () => {
    expect(framesInnermostFirst(CHAINED).map((f) => f.line)).toEqual([12, 20]);
  });

  it('keeps a JavaScript stack as it is, file URLs as paths, internals left out', () => {
    expect(framesInnermostFirst(JS).map((f) => [f.file, f.line, f.function])).toEqual([
      ['/ws/src/app.ts', 28, 'boom'],
      ['/ws/src/main.mjs', 7, 'main'],
    ]);
  });

  it('finds nothing in text without frames', () => {
    expect(framesInnermostFirst('ValueError: kaboom')).toEqual([]);
  });
});

describe('innermostOwnFrame', () => {
  it('skips frames in installed packages and outside the workspace', () => {
    expect(innermostOwnFrame(framesInnermostFirst(PY), inWs)).toMatchObject({ file: '/ws/app.py', line: 28 });
    expect(innermostOwnFrame(framesInnermostFirst(PY), () => false)).toBeUndefined();
  });
});
