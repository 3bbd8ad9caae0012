// The code version a trace ran (`code_version`: git commit, branch, dirty flag, as the SDKs
// read them from `.git`): the strict check native ingest applies, and the short text the
// panel, the logs table and compare show ("abc1234 main (dirty)"). Pure.

import type { CodeVersion } from './model';

const COMMIT = /^[0-9a-f]{7,64}$/i;
const BRANCH_MAX = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;
const KEYS = new Set(['commit', 'branch', 'dirty']);

/** Why `value` is not a code version, or undefined when it is one. */
export function codeVersionProblem(value: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(value))
    if (!KEYS.has(key)) return `has an unknown field "${key.slice(0, 40)}" (allowed: commit, branch, dirty)`;
  if (typeof value.commit !== 'string' || !COMMIT.test(value.commit))
    return 'commit must be 7 to 64 hexadecimal characters';
  const branch = value.branch;
  if (
    branch !== undefined &&
    (typeof branch !== 'string' || branch === '' || branch.length > BRANCH_MAX || CONTROL.test(branch))
  ) {
    return `branch must be a string of 1 to ${BRANCH_MAX} characters without control characters`;
  }
  if (value.dirty !== undefined && typeof value.dirty !== 'boolean') return 'dirty must be true or false';
  return undefined;
}

/** The commit as people write it: its first 7 characters. */
export function shortCommit(v: CodeVersion): string {
  return v.commit.slice(0, 7);
}

/** "abc1234 main (dirty)": what a cell or a details row shows. */
export function codeVersionText(v: CodeVersion | undefined): string {
  if (!v) return '';
  return [shortCommit(v), v.branch, v.dirty ? '(dirty)' : undefined].filter(Boolean).join(' ');
}

/** `commit:` filters match by prefix, in any case. */
export function commitMatches(v: CodeVersion | undefined, prefix: string): boolean {
  return v?.commit.toLowerCase().startsWith(prefix.toLowerCase()) === true;
}
