// What /api/health tells a caller without the read token. Any local process may ask (the
// SDKs and the CLI check it before anything else), so it says whether the collector keeps
// what it acknowledges — the status, why writes fail, how many records wait, what damage was
// found — but not where: the store's warnings quote file paths, and a path names the user's
// home and workspace (`/home/jane/acme-contract/.spanscope/packs/…`). A caller with the
// token sees the paths, as in the log.

import type { StoreHealth } from '../store/types';

/** What stands in for a path. */
export const PATH_HIDDEN = '<path>';

/** `health` with every file path in its texts replaced by PATH_HIDDEN. */
export function withoutPaths(health: StoreHealth): StoreHealth {
  const out: StoreHealth = { ...health };
  if (out.problems) out.problems = out.problems.map(hidePaths);
  if (out.status === 'degraded') out.reason = hidePaths(out.reason);
  return out;
}

/**
 * A quoted path (Node's errors quote theirs: `open '/x/y'`) goes whole, spaces and all. A bare
 * one (the store's warnings: `/x/y/pack-000001.json is damaged: …`) runs up to the words and
 * punctuation that follow paths in those messages, so a folder named `client work` goes with
 * the rest of its path rather than leaving half of it.
 */
export function hidePaths(text: string): string {
  return text
    .replace(QUOTED, (_m, quote: string) => `${quote}${PATH_HIDDEN}${quote}`)
    .replace(BARE, (_m, before: string) => `${before}${PATH_HIDDEN}`);
}

/** The start of an absolute path: `/`, `~/`, `C:\` or `C:/`, `\\server`. */
const START = String.raw`(?:\/(?!\/)|~[\\/]|[A-Za-z]:[\\/]|\\\\)`;
const QUOTED = new RegExp(String.raw`(['"\`])${START}[^'"\`\n]*\1`, 'g');
/** What ends a bare path: a word the store's messages put after one, punctuation, a line's end. */
const BARE_END = String.raw`(?=\s+(?:is|are|was|were|has|had|could|does|do|and|or|not|in|to|from|with)\b|\s*[;,)(\n]|:\s|\s+-|\s*$)`;
const BARE = new RegExp(String.raw`(^|[\s(=])${START}.*?${BARE_END}`, 'gm');
