// Debug This Call's one message before anything is launched: what is missing (the collector,
// the file, the Python debugger extension, an export) decides it, in that order.

import { describe, expect, it } from 'vitest';
import { checkLaunch, type LaunchFacts } from '../../src/extension/replay/debugCallModel';

/** The one message, or undefined when the call can be launched. */
function debugLaunchProblem(...args: Parameters<typeof checkLaunch>): string | undefined {
  const check = checkLaunch(...args);
  return check.ok ? undefined : check.reason;
}

const python = { language: 'python' as const, qualname: 'Shop.total', file: '/ws/shop.py' };
const node = { language: 'node' as const, qualname: 'answer', file: '/ws/app.mjs' };
const ready: LaunchFacts = {
  collectorUrl: 'http://127.0.0.1:7726',
  source: 'def total(): pass',
  installedDebuggers: ['ms-python.debugpy'],
  exported: () => true,
};

describe('Debug This Call before launching', () => {
  it('names the missing Python Debugger extension for a Python call, and nothing else is wrong', () => {
    const message = debugLaunchProblem(python, { ...ready, installedDebuggers: [] });
    expect(message).toMatch(
      /Spanscope can not debug Shop\.total: debugging Python needs the Python Debugger extension \(ms-python\.debugpy\), which is not installed/,
    );
    // The Python extension brings the debugger with it: either is enough.
    expect(debugLaunchProblem(python, { ...ready, installedDebuggers: ['ms-python.python'] })).toBeUndefined();
    expect(checkLaunch(python, ready)).toEqual({
      ok: true,
      collectorUrl: 'http://127.0.0.1:7726',
      source: 'def total(): pass',
    });
  });

  it('does not ask for the Python debugger for a Node call, but for the export', () => {
    expect(debugLaunchProblem(node, { ...ready, installedDebuggers: [] })).toBeUndefined();
    expect(debugLaunchProblem(node, { ...ready, exported: () => false })).toBe(
      'Spanscope can not re-run answer: app.mjs does not export it, so the harness can not import it.',
    );
  });

  it('says first what stops every launch: no collector, then a file that is gone', () => {
    expect(debugLaunchProblem(python, { ...ready, collectorUrl: undefined, installedDebuggers: [] })).toMatch(
      /needs the Spanscope collector running/,
    );
    expect(debugLaunchProblem(python, { ...ready, source: undefined, installedDebuggers: [] })).toBe(
      'Spanscope can not re-run Shop.total: its file /ws/shop.py is not there any more.',
    );
  });
});
