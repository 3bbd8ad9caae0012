// The `error` of a Braintrust row is one string; the model wants a type, a message and a
// traceback. The SDKs write it in two known shapes:
//
//   Python: "ValueError: boom\n\nTraceback (most recent call last):\n  File …"
//           (format_exception_only, then the frames)
//   JS:     "boom\n\nTypeError: boom\n    at f (file:///app.mjs:3:9)\n…"
//           (the message, a blank line, then error.stack)
//
// Anything else is kept whole as the message of an `Error`.

import type { ErrorInfo } from '../../model/model';

const PYTHON_TRACEBACK = 'Traceback (most recent call last):';
/** `ValueError: boom`, `mypkg.errors.Oops: …`, `KeyboardInterrupt` (a type alone). */
const TYPE_LINE = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?::\s?([\s\S]*))?$/;
const JS_FRAME = /\n\s+at\s/;

export function parseErrorText(text: string): ErrorInfo {
  const python = text.indexOf(PYTHON_TRACEBACK);
  if (python >= 0) {
    const head = text.slice(0, python).trim();
    const frames = text.slice(python).trimEnd();
    const typed = typeLine(head.split('\n')[0]);
    // Python prints the exception line last; the SDK put it first.
    const info: ErrorInfo = {
      exception_type: typed?.type ?? 'Exception',
      traceback: head ? `${frames}\n${head}` : frames,
    };
    const message = typed
      ? [typed.message, ...head.split('\n').slice(1)]
          .filter((s) => s !== undefined)
          .join('\n')
          .trim()
      : head;
    if (message) info.message = message;
    return info;
  }
  const blank = text.indexOf('\n\n');
  const stack = blank >= 0 ? text.slice(blank + 2) : text;
  if (JS_FRAME.test(stack)) {
    const typed = typeLine(stack.split('\n')[0]);
    const message = blank >= 0 ? text.slice(0, blank) : typed?.message;
    const info: ErrorInfo = { exception_type: typed?.type ?? 'Error', traceback: stack.trimEnd() };
    if (message) info.message = message;
    return info;
  }
  const typed = /^\w*(Error|Exception)\b/.test(text) ? typeLine(text.split('\n')[0]) : undefined;
  if (typed)
    return typed.message ? { exception_type: typed.type, message: typed.message } : { exception_type: typed.type };
  return { exception_type: 'Error', message: text };
}

function typeLine(line: string): { type: string; message?: string } | undefined {
  const m = TYPE_LINE.exec(line.trim());
  if (!m) return undefined;
  return m[2] === undefined ? { type: m[1] } : { type: m[1], message: m[2].trim() };
}
