"""The code version a trace ran: git commit, branch and whether the work tree was dirty
(``docs/protocol.md``, ``code_version``), read from ``.git`` itself, without running git.

Read once per process, on the sender thread, when the first trace is encoded; never per span.
Nothing here raises: any surprise (no repository, an unreadable file, a format we do not know)
gives less, never an error. What is read, as git reads it:

- the repository: the first ``.git`` up from the main script's folder (else the working
  directory); a ``.git`` *file* (worktrees, submodules) names the real one with ``gitdir:``,
  and a worktree's ``commondir`` names where the shared refs live;
- ``HEAD``: ``ref: refs/heads/NAME`` (the branch), or a commit id (detached: no branch);
  the ref's commit from its loose file, else from ``packed-refs``;
- dirty: any tracked file whose size or modification time differs from its ``index`` entry
  (index versions 2, 3 and 4), or that is gone: git's own quick check. An entry whose file
  changed in the same second the index was written (git's "racily clean" case) is hashed to be
  sure. The check stops at the first difference and gives up ("unknown": no ``dirty``) past
  ``MAX_ENTRIES`` entries or ``MAX_SECONDS`` seconds.
"""

import os
import re
import struct
import sys
import time

from ._guard import never_raise

MAX_ENTRIES = 200_000
MAX_SECONDS = 0.5
# The most the racy-entry check hashes, in bytes; past it the answer is "unknown".
MAX_HASH_BYTES = 16 * 1024 * 1024

_HEX = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_UNSET = object()
_cached = _UNSET


def code_version():
    """``{"commit", "branch"?, "dirty"?}`` for this process, or None outside a repository."""
    global _cached
    if _cached is _UNSET:
        _cached = _read_this_process()
    return _cached


@never_raise()  # a version we can not read is no version
def _read_this_process():
    return read_code_version(_start_dir())


def _start_dir():
    # ``sys.argv[0]`` rather than ``__main__.__file__``: this runs on the sender thread, possibly
    # at exit, when the main module may already be torn down.
    for main in (getattr(sys, "argv", None) or [""])[0], getattr(sys.modules.get("__main__"), "__file__", None):
        if main and os.path.isfile(main):
            return os.path.dirname(os.path.abspath(main))
    return os.getcwd()


def read_code_version(start):
    found = find_repository(start)
    if found is None:
        return None
    git_dir, work_tree = found
    common = _common_dir(git_dir)
    head = _read_text(os.path.join(git_dir, "HEAD"))
    if head is None:
        return None
    branch = None
    commit = None
    if head.startswith("ref:"):
        ref = head[4:].strip()
        if ref.startswith("refs/heads/"):
            branch = ref[len("refs/heads/") :]
        commit = _resolve(ref, git_dir, common)
    elif _HEX.match(head):
        commit = head
    if commit is None:
        return None  # a branch with no commit yet
    version = {"commit": commit}
    if branch:
        version["branch"] = branch
    dirty = tree_is_dirty(git_dir, work_tree, len(commit) // 2)
    if dirty is not None:
        version["dirty"] = dirty
    return version


def find_repository(start):
    """``(git_dir, work_tree)`` of the repository ``start`` is in, or None."""
    folder = os.path.abspath(start)
    while True:
        dot_git = os.path.join(folder, ".git")
        if os.path.isdir(dot_git):
            return dot_git, folder
        if os.path.isfile(dot_git):
            text = _read_text(dot_git)
            if text and text.startswith("gitdir:"):
                target = text[len("gitdir:") :].strip()
                git_dir = os.path.normpath(os.path.join(folder, target))
                if os.path.isdir(git_dir):
                    return git_dir, folder
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _common_dir(git_dir):
    text = _read_text(os.path.join(git_dir, "commondir"))
    if text:
        return os.path.normpath(os.path.join(git_dir, text))
    return git_dir


def _resolve(ref, git_dir, common):
    """The commit a ref names, following symbolic refs a few levels; None when unborn."""
    for _ in range(5):
        text = None
        for base in (git_dir, common):
            text = _read_text(os.path.join(base, *ref.split("/")))
            if text is not None:
                break
        if text is None:
            return _packed_ref(common, ref)
        if text.startswith("ref:"):
            ref = text[4:].strip()
            continue
        return text if _HEX.match(text) else None
    return None


def _packed_ref(common, ref):
    try:
        with open(os.path.join(common, "packed-refs"), encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(("#", "^")):
                    continue
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref and _HEX.match(parts[0]):
                    return parts[0]
    except OSError:
        pass
    return None


def _read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(4096).strip()
    except OSError:
        return None


# ---- the index ----------------------------------------------------------------------

_EXTENDED = 0x4000
_ASSUME_VALID = 0x8000
_SKIP_WORKTREE = 0x4000  # in the extended flags
_INTENT_TO_ADD = 0x2000  # in the extended flags
_GITLINK = 0o160000


def tree_is_dirty(git_dir, work_tree, hash_size=20):
    """True/False by git's quick check against ``index``; None when it can not tell."""
    index_path = os.path.join(git_dir, "index")
    try:
        with open(index_path, "rb") as f:
            data = f.read()
        index_mtime = os.stat(index_path).st_mtime_ns
    except FileNotFoundError:
        return False  # nothing tracked yet
    except OSError:
        return None
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4) or count > MAX_ENTRIES:
        return None
    deadline = time.monotonic() + MAX_SECONDS
    hashed = 0
    pos = 12
    previous = b""
    fixed = 40 + hash_size + 2  # stat fields, object id, flags
    for n in range(count):
        if n % 256 == 0 and time.monotonic() > deadline:
            return None
        if pos + fixed > len(data):
            return None
        (_ctime_s, _ctime_ns, mtime_s, mtime_ns, _dev, _ino, mode, _uid, _gid, size) = struct.unpack(
            ">10I", data[pos : pos + 40]
        )
        oid = data[pos + 40 : pos + 40 + hash_size]
        (flags,) = struct.unpack(">H", data[pos + 40 + hash_size : pos + fixed])
        cursor = pos + fixed
        extended = 0
        if flags & _EXTENDED and version >= 3:
            (extended,) = struct.unpack(">H", data[cursor : cursor + 2])
            cursor += 2
        if version == 4:
            strip, cursor = _varint(data, cursor)
            end = data.index(b"\0", cursor)
            path = previous[: len(previous) - strip] + data[cursor:end]
            pos = end + 1
        else:
            end = data.index(b"\0", cursor)
            path = data[cursor:end]
            # Entries are padded with NULs to a multiple of 8 bytes.
            pos += ((end - pos) // 8 + 1) * 8
        previous = path
        if (flags >> 12) & 3:
            return True  # a merge in progress: conflicted entries
        if flags & _ASSUME_VALID or extended & (_SKIP_WORKTREE | _INTENT_TO_ADD) or (mode & 0o170000) == _GITLINK:
            continue
        full = os.path.join(work_tree, os.fsdecode(path))
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return True
        except OSError:
            return None
        if (st.st_size & 0xFFFFFFFF) != size:
            return True
        if st.st_mtime_ns // 1_000_000_000 != mtime_s or (mtime_ns and st.st_mtime_ns % 1_000_000_000 != mtime_ns):
            return True
        if st.st_mtime_ns >= index_mtime:
            # Racily clean: written in the index's own instant, a change of the same size
            # would not show in the stat data. Compare the content's object id instead.
            hashed += st.st_size
            if hashed > MAX_HASH_BYTES:
                return None
            same = _same_blob(full, st, oid, hash_size)
            if same is None:
                return None
            if not same:
                return True
    return False


def _varint(data, pos):
    """Git's offset varint (index v4 path prefix lengths)."""
    byte = data[pos]
    pos += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[pos]
        pos += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, pos


def _same_blob(path, st, oid, hash_size):
    import hashlib  # rarely needed: kept off the import of the SDK (it loads OpenSSL)

    try:
        if os.path.islink(path):
            content = os.fsencode(os.readlink(path))
        else:
            with open(path, "rb") as f:
                content = f.read()
    except OSError:
        return None
    digest = hashlib.sha256() if hash_size == 32 else hashlib.sha1()
    digest.update(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.digest() == oid
