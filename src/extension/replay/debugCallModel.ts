// The pure half of Debug This Call (debugCall.ts): whether a planned call can be launched under
// a debugger here, and if not the one message that says which thing is missing and why. It is
// decided before anything is written or launched, so a refusal leaves no harness, breakpoint
// or half-started session behind.

import * as path from 'node:path';
import type { ReplayCall } from '../../core/replay/callPlan';

/** Extensions that provide the `debugpy` debug type (the Python extension brings the debugger along). */
export const PYTHON_DEBUGGERS = ['ms-python.debugpy', 'ms-python.python'] as const;

export interface LaunchFacts {
  /** The collector's address, when it is listening (the re-run must be traced). */
  collectorUrl: string | undefined;
  /** The function's file as it is now; undefined when it is gone. */
  source: string | undefined;
  /** Ids of the installed extensions among PYTHON_DEBUGGERS. */
  installedDebuggers: readonly string[];
  /** Whether the Node module exports the function (only asked for Node calls). */
  exported: (source: string, name: string) => boolean;
}

export type LaunchCheck = { ok: true; collectorUrl: string; source: string } | { ok: false; reason: string };

export function checkLaunch(call: Pick<ReplayCall, 'language' | 'qualname' | 'file'>, f: LaunchFacts): LaunchCheck {
  const refuse = (reason: string): LaunchCheck => ({ ok: false, reason });
  if (!f.collectorUrl)
    return refuse(
      'Debug This Call needs the Spanscope collector running, so the re-run is traced: start it with "Spanscope: Restart Collector".',
    );
  if (f.source === undefined)
    return refuse(`Spanscope can not re-run ${call.qualname}: its file ${call.file} is not there any more.`);
  if (call.language === 'python' && !PYTHON_DEBUGGERS.some((id) => f.installedDebuggers.includes(id))) {
    return refuse(
      `Spanscope can not debug ${call.qualname}: debugging Python needs the Python Debugger extension (ms-python.debugpy), which is not installed. Install it from the Extensions view, then run Debug This Call again.`,
    );
  }
  if (call.language === 'node' && !f.exported(f.source, call.qualname)) {
    return refuse(
      `Spanscope can not re-run ${call.qualname}: ${path.basename(call.file)} does not export it, so the harness can not import it.`,
    );
  }
  return { ok: true, collectorUrl: f.collectorUrl, source: f.source };
}
