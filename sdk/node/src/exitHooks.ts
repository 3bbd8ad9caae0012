// Nothing recorded is lost when the process ends, and ending is never held up for more than
// `exitTimeoutMs` (2 s), even with the collector down or hung:
//
// - normal end ('beforeExit'): the queue is sent and awaited; a ref'd deadline timer keeps
//   the loop alive meanwhile (the sockets themselves are unref'd);
// - `process.exit()`, an uncaught exception or unhandled rejection ('exit', synchronous):
//   pending batches go through a child process, see syncSend.ts;
// - SIGINT / SIGTERM, when the user has no handler of their own: spans still running are
//   closed, the queue is sent and awaited, then the signal is raised again so the process
//   dies as it would have (exit status 128+n). With a user handler we stay out of the way;
//   if it calls `process.exit()`, the 'exit' path applies.
//
// Spans still running at the end are ended then; with an error when the process dies of
// an exception, a signal or a non-zero exit code.

import { isMainThread } from 'node:worker_threads';
import { errorInfoOf } from './errors.js';
import type { ErrorInfo } from './recordTypes.js';
import type { Sender } from './sender.js';
import { sendSync } from './syncSend.js';

export interface ExitHookOptions {
  sender: Sender;
  timeoutMs: number;
  warnOnce(key: string, message: string): void;
}

export function installExitHooks(options: ExitHookOptions): () => void {
  const { sender, timeoutMs, warnOnce } = options;
  let startedAt: number | undefined;
  let draining = false;
  let fatal: unknown;
  const remaining = () => {
    startedAt ??= Date.now();
    return timeoutMs - (Date.now() - startedAt);
  };

  const onBeforeExit = () => {
    if (draining || !sender.hasPending()) return;
    draining = true;
    sender.exiting = true;
    void sender.flush(remaining(), true).finally(() => {
      draining = false;
    });
  };

  const onFatal = (err: unknown) => {
    // Only an exception that will end the process; a user's handler may recover from it.
    if (process.listenerCount('uncaughtException') === 0) fatal = err;
  };

  const onExit = (code: number) => {
    try {
      sender.exiting = true;
      sender.closeOpen(
        fatal !== undefined ? errorInfoOf(fatal) : code ? exitError(`process.exit(${code})`) : undefined,
      );
      const batches = sender.takePending();
      if (batches.length === 0) return;
      const result = sendSync(sender.ingestUrl, batches, remaining());
      if (!result.ok) {
        const events = batches.reduce((n, b) => n + b.events, 0);
        warnOnce('exit', `${events} events could not be sent at exit (${result.reason})`);
      }
    } catch {
      // Nothing may escape an 'exit' listener: it would replace the process's own error.
    }
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (hasUserHandler(signal)) return;
    if (draining) return reraise(signal); // a second Ctrl-C: go now
    draining = true;
    sender.exiting = true;
    sender.closeOpen(exitError(`interrupted by ${signal}`, signal));
    void sender.flush(remaining(), true).finally(() => reraise(signal));
  };

  const reraise = (signal: NodeJS.Signals) => {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };

  (onSignal as unknown as Record<symbol, boolean>)[OURS] = true;
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  process.on('uncaughtExceptionMonitor', onFatal);
  const signals: NodeJS.Signals[] = isMainThread ? ['SIGINT', 'SIGTERM'] : [];
  for (const s of signals) process.on(s, onSignal);

  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
    process.removeListener('uncaughtExceptionMonitor', onFatal);
    for (const s of signals) process.removeListener(s, onSignal);
  };
}

// Marks our signal listeners, so that another copy of the SDK in the process (another
// version) is not taken for a user's handler.
const OURS = Symbol.for('spanscope.signalListener');

function hasUserHandler(signal: NodeJS.Signals): boolean {
  return process.listeners(signal).some((l) => !(l as unknown as Record<symbol, boolean>)[OURS]);
}

function exitError(message: string, type = 'ProcessExit'): ErrorInfo {
  return { exception_type: type, message: `${message} while this span was running` };
}
