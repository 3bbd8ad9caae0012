// `error_info` (the model's shape) for whatever was thrown, or given by the user.

import { withoutOwnFrames } from './codeLocation.js';
import type { ErrorInfo } from './recordTypes.js';

export function normaliseErrorInfo(error: Record<string, unknown>): ErrorInfo {
  const type = error.exception_type ?? error.exceptionType;
  const info: ErrorInfo = { exception_type: typeof type === 'string' ? type : 'Error' };
  if (typeof error.message === 'string') info.message = error.message;
  if (typeof error.traceback === 'string') info.traceback = error.traceback;
  return info;
}

/** `error_info` for anything thrown. */
export function errorInfoOf(thrown: unknown): ErrorInfo {
  try {
    if (thrown instanceof Error) {
      // A subclass that does not set `name` still says "Error"; its class name says more.
      const ctor = thrown.constructor?.name;
      const type = thrown.name && thrown.name !== 'Error' ? thrown.name : ctor || 'Error';
      const info: ErrorInfo = { exception_type: type, message: thrown.message };
      if (typeof thrown.stack === 'string') info.traceback = withoutOwnFrames(thrown.stack);
      return info;
    }
    if (isObject(thrown) && typeof thrown.message === 'string') {
      return { exception_type: String(thrown.name ?? thrown.constructor?.name ?? 'Error'), message: thrown.message };
    }
    return { exception_type: typeof thrown, message: String(thrown) };
  } catch {
    return { exception_type: 'unknown' };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
