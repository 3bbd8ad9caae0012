// The code version a trace ran: git commit, branch and whether the work tree was dirty
// (docs/protocol.md, "Code version"), read from `.git` itself, without running git.
//
// Read once per process, when the first trace is encoded (in the sender's flush, not inside
// a user's call); never per span. Nothing here throws: any surprise (no repository, an
// unreadable file, a format we do not know) gives less, never an error. What is read, as git
// reads it:
// - the repository: the first `.git` up from the main script's folder (else the working
//   directory); a `.git` *file* (worktrees, submodules) names the real one with `gitdir:`,
//   and a worktree's `commondir` names where the shared refs live;
// - `HEAD`: `ref: refs/heads/NAME` (the branch) or a commit id (detached: no branch); the
//   ref's commit from its loose file, else from `packed-refs`;
// - dirty: any tracked file whose size or modification time differs from its `index` entry
//   (index versions 2, 3 and 4), or that is gone: git's own quick check. An entry whose file
//   changed in the instant the index was written (git's "racily clean" case) is hashed to be
//   sure. The check stops at the first difference and gives up ("unknown": no `dirty`) past
//   MAX_ENTRIES entries or MAX_MS milliseconds.

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';

export interface CodeVersion {
  commit: string;
  branch?: string;
  dirty?: boolean;
}

export const MAX_ENTRIES = 200_000;
export const MAX_MS = 500;
const MAX_HASH_BYTES = 16 * 1024 * 1024;
const HEX = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

let cached: CodeVersion | null | undefined;

/** This process's code version, or undefined outside a repository. */
export function codeVersion(): CodeVersion | undefined {
  if (cached === undefined) {
    try {
      cached = readCodeVersion(startDir()) ?? null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

function startDir(): string {
  const main = process.argv[1];
  if (main) {
    const folder = dirname(resolve(main));
    if (existsSync(folder)) return folder;
  }
  return process.cwd();
}

export function readCodeVersion(start: string): CodeVersion | undefined {
  const found = findRepository(start);
  if (!found) return undefined;
  const { gitDir, workTree } = found;
  const common = commonDir(gitDir);
  const head = readText(join(gitDir, 'HEAD'));
  if (head === undefined) return undefined;
  let branch: string | undefined;
  let commit: string | undefined;
  if (head.startsWith('ref:')) {
    const ref = head.slice(4).trim();
    if (ref.startsWith('refs/heads/')) branch = ref.slice('refs/heads/'.length);
    commit = resolveRef(ref, gitDir, common);
  } else if (HEX.test(head)) {
    commit = head;
  }
  if (commit === undefined) return undefined; // a branch with no commit yet
  const version: CodeVersion = { commit };
  if (branch) version.branch = branch;
  const dirty = treeIsDirty(gitDir, workTree, commit.length / 2);
  if (dirty !== undefined) version.dirty = dirty;
  return version;
}

export function findRepository(start: string): { gitDir: string; workTree: string } | undefined {
  let folder = resolve(start);
  for (;;) {
    const dotGit = join(folder, '.git');
    const st = statOrUndefined(dotGit);
    if (st?.isDirectory()) return { gitDir: dotGit, workTree: folder };
    if (st?.isFile()) {
      const text = readText(dotGit);
      if (!text?.startsWith('gitdir:')) return undefined;
      const target = text.slice('gitdir:'.length).trim();
      const gitDir = normalize(isAbsolute(target) ? target : join(folder, target));
      return statOrUndefined(gitDir)?.isDirectory() ? { gitDir, workTree: folder } : undefined;
    }
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

function commonDir(gitDir: string): string {
  const text = readText(join(gitDir, 'commondir'));
  return text ? normalize(isAbsolute(text) ? text : join(gitDir, text)) : gitDir;
}

/** The commit a ref names, following symbolic refs a few levels; undefined when unborn. */
function resolveRef(ref: string, gitDir: string, common: string): string | undefined {
  for (let depth = 0; depth < 5; depth++) {
    const text = readText(join(gitDir, ...ref.split('/'))) ?? readText(join(common, ...ref.split('/')));
    if (text === undefined) return packedRef(common, ref);
    if (text.startsWith('ref:')) {
      ref = text.slice(4).trim();
      continue;
    }
    return HEX.test(text) ? text : undefined;
  }
  return undefined;
}

function packedRef(common: string, ref: string): string | undefined {
  const text = readText(join(common, 'packed-refs'), Infinity);
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const [id, name] = line.trim().split(/\s+/);
    if (name === ref && HEX.test(id)) return id;
  }
  return undefined;
}

function readText(path: string, max = 4096): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return (text.length > max ? text.slice(0, max) : text).trim();
  } catch {
    return undefined;
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

// ---- the index ----------------------------------------------------------------------

const EXTENDED = 0x4000;
const ASSUME_VALID = 0x8000;
const SKIP_WORKTREE = 0x4000; // in the extended flags
const INTENT_TO_ADD = 0x2000; // in the extended flags
const GITLINK = 0o160000;

/** True/false by git's quick check against `index`; undefined when it can not tell. */
export function treeIsDirty(gitDir: string, workTree: string, hashSize = 20): boolean | undefined {
  const indexPath = join(gitDir, 'index');
  let data: Buffer;
  let indexMtimeNs: bigint;
  try {
    data = readFileSync(indexPath);
    indexMtimeNs = statSync(indexPath, { bigint: true }).mtimeNs;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined; // no index: nothing tracked yet
  }
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = data.readUInt32BE(4);
  const count = data.readUInt32BE(8);
  if (version < 2 || version > 4 || count > MAX_ENTRIES) return undefined;
  const deadline = Date.now() + MAX_MS;
  const fixed = 40 + hashSize + 2; // stat fields, object id, flags
  let pos = 12;
  let previous: Buffer = Buffer.alloc(0);
  let hashed = 0;
  for (let n = 0; n < count; n++) {
    if (n % 256 === 0 && Date.now() > deadline) return undefined;
    if (pos + fixed > data.length) return undefined;
    const mtimeS = data.readUInt32BE(pos + 8);
    const mtimeNs = data.readUInt32BE(pos + 12);
    const mode = data.readUInt32BE(pos + 24);
    const size = data.readUInt32BE(pos + 36);
    const oid = data.subarray(pos + 40, pos + 40 + hashSize);
    const flags = data.readUInt16BE(pos + 40 + hashSize);
    let cursor = pos + fixed;
    let extended = 0;
    if (flags & EXTENDED && version >= 3) {
      extended = data.readUInt16BE(cursor);
      cursor += 2;
    }
    let path: Buffer;
    if (version === 4) {
      const [strip, after] = varint(data, cursor);
      const end = data.indexOf(0, after);
      if (end < 0) return undefined;
      path = Buffer.concat([previous.subarray(0, previous.length - strip), data.subarray(after, end)]);
      pos = end + 1;
    } else {
      const end = data.indexOf(0, cursor);
      if (end < 0) return undefined;
      path = data.subarray(cursor, end);
      pos += (Math.floor((end - pos) / 8) + 1) * 8; // entries are padded with NULs to 8 bytes
    }
    previous = path;
    if ((flags >> 12) & 3) return true; // a merge in progress: conflicted entries
    if (flags & ASSUME_VALID || extended & (SKIP_WORKTREE | INTENT_TO_ADD) || (mode & 0o170000) === GITLINK) continue;
    const full = join(workTree, path.toString('utf8'));
    let st;
    try {
      st = lstatSync(full, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
        return true;
      return undefined;
    }
    if (Number(st.size & 0xffffffffn) !== size) return true;
    if (
      st.mtimeNs / 1_000_000_000n !== BigInt(mtimeS) ||
      (mtimeNs !== 0 && st.mtimeNs % 1_000_000_000n !== BigInt(mtimeNs))
    )
      return true;
    if (st.mtimeNs >= indexMtimeNs) {
      // Racily clean: changed in the index's own instant, a change of the same size would
      // not show in the stat data. Compare the content's object id instead.
      hashed += Number(st.size);
      if (hashed > MAX_HASH_BYTES) return undefined;
      const same = sameBlob(full, st.isSymbolicLink(), oid, hashSize);
      if (same === undefined) return undefined;
      if (!same) return true;
    }
  }
  return false;
}

/** Git's offset varint (index v4 path prefix lengths): [value, position after it]. */
function varint(data: Buffer, pos: number): [number, number] {
  let byte = data[pos++];
  let value = byte & 0x7f;
  while (byte & 0x80) {
    byte = data[pos++];
    value = ((value + 1) << 7) | (byte & 0x7f);
  }
  return [value, pos];
}

function sameBlob(path: string, symlink: boolean, oid: Buffer, hashSize: number): boolean | undefined {
  let content: Buffer;
  try {
    content = symlink ? Buffer.from(readlinkSync(path)) : readFileSync(path);
  } catch {
    return undefined;
  }
  const hash = createHash(hashSize === 32 ? 'sha256' : 'sha1');
  hash.update(`blob ${content.length}\0`);
  hash.update(content);
  return hash.digest().equals(oid);
}
