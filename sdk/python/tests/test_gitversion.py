"""The code version on every trace (issue 16, item 6): commit, branch and dirty flag read from
``.git`` by the SDK itself, checked on real repositories the test makes with the ``git`` CLI
(the test may run git; the SDK never does): clean, dirty in each way git's quick check sees,
detached HEAD, packed refs, a worktree, index v4, racily clean, and no repository. Then end to
end: a script in a repository sends it on its trace to the real collector, and one outside
sends none."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from spanscope._gitversion import read_code_version

from .support import run_script, script_env, shared_collector, unique_project, write_script

GIT_ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="t",
    GIT_AUTHOR_EMAIL="t@example.com",
    GIT_COMMITTER_NAME="t",
    GIT_COMMITTER_EMAIL="t@example.com",
    GIT_CONFIG_NOSYSTEM="1",
    GIT_CONFIG_GLOBAL=os.devnull,
)


class Repo:
    def __init__(self, test):
        self.path = os.path.realpath(tempfile.mkdtemp(prefix="spanscope-git-"))
        test.addCleanup(shutil.rmtree, self.path, True)
        self.git("init", "-q", "-b", "main")
        self.write("app.py", "print('hello')\n")
        self.write("pkg/mod.py", "x = 1\n")
        self.git("add", ".")
        self.git("commit", "-q", "-m", "first")

    def git(self, *args, cwd=None):
        return subprocess.run(
            ["git", *args], cwd=cwd or self.path, env=GIT_ENV, check=True, capture_output=True, text=True
        ).stdout.strip()

    def write(self, name, text):
        path = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def head(self):
        return self.git("rev-parse", "HEAD")

    def settle(self):
        """Ages the index past its files' times, so nothing is racily clean by accident."""
        index = os.path.join(self.path, ".git", "index")
        later = time.time_ns() + 5_000_000_000
        os.utime(index, ns=(later, later))


@unittest.skipUnless(shutil.which("git"), "the git CLI makes the repositories these tests read")
class ReadsGitItself(unittest.TestCase):
    def test_a_clean_tree_on_a_branch(self):
        repo = Repo(self)
        repo.settle()
        self.assertEqual(read_code_version(repo.path), {"commit": repo.head(), "branch": "main", "dirty": False})
        # From a folder below the top too.
        self.assertEqual(read_code_version(os.path.join(repo.path, "pkg"))["commit"], repo.head())

    def test_dirty_when_a_tracked_file_changes_size_time_or_goes(self):
        for change in ("size", "time", "delete"):
            with self.subTest(change=change):
                repo = Repo(self)
                repo.settle()
                path = os.path.join(repo.path, "app.py")
                if change == "size":
                    repo.write("app.py", "print('hello, world')\n")
                elif change == "time":
                    st = os.stat(path)
                    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
                else:
                    os.remove(path)
                # As git's quick check (``git diff-index --quiet HEAD``, which does not re-read
                # files) sees it: a new time alone counts, though ``git status`` would re-hash.
                self.assertIs(read_code_version(repo.path)["dirty"], True)

    def test_an_untracked_file_does_not_make_it_dirty(self):
        repo = Repo(self)
        repo.write("notes.txt", "scratch\n")
        repo.settle()
        self.assertIs(read_code_version(repo.path)["dirty"], False)

    def test_a_same_size_change_in_the_indexs_own_instant_is_hashed_and_found(self):
        repo = Repo(self)
        path = os.path.join(repo.path, "app.py")
        st = os.stat(path)
        repo.write("app.py", "print('HELLO')\n")  # same size
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same time as indexed
        index = os.path.join(repo.path, ".git", "index")
        os.utime(index, ns=(st.st_mtime_ns, st.st_mtime_ns))  # written in that same instant: racy
        self.assertIs(read_code_version(repo.path)["dirty"], True)
        # The same situation with the content unchanged is clean.
        repo.write("app.py", "print('hello')\n")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        self.assertIs(read_code_version(repo.path)["dirty"], False)

    def test_a_detached_head_has_no_branch(self):
        repo = Repo(self)
        first = repo.head()
        repo.write("app.py", "print('second')\n")
        repo.git("commit", "-qam", "second")
        repo.git("checkout", "-q", "--detach", first)
        repo.settle()
        self.assertEqual(read_code_version(repo.path), {"commit": first, "dirty": False})

    def test_packed_refs_are_read_when_the_loose_ref_is_gone(self):
        repo = Repo(self)
        repo.git("pack-refs", "--all")
        self.assertFalse(os.path.exists(os.path.join(repo.path, ".git", "refs", "heads", "main")))
        repo.settle()
        self.assertEqual(read_code_version(repo.path), {"commit": repo.head(), "branch": "main", "dirty": False})

    def test_a_worktree_follows_its_gitdir_file_to_its_own_head_and_the_shared_refs(self):
        repo = Repo(self)
        other = os.path.join(repo.path + "-wt")
        self.addCleanup(shutil.rmtree, other, True)
        repo.git("worktree", "add", "-q", "-b", "feature", other)
        repo.write("app.py", "print('main moves on')\n")
        repo.git("commit", "-qam", "on main")
        with open(os.path.join(other, "pkg", "mod.py"), "w") as f:
            f.write("x = 22\n")
        version = read_code_version(other)
        self.assertEqual(version["branch"], "feature")
        self.assertEqual(version["commit"], repo.git("rev-parse", "feature"))
        self.assertIs(version["dirty"], True)
        self.assertNotEqual(version["commit"], repo.head())

    def test_index_version_4_with_compressed_paths(self):
        repo = Repo(self)
        repo.write("pkg/mod_two.py", "y = 2\n")
        repo.git("add", ".")
        repo.git("commit", "-qm", "more")
        repo.git("update-index", "--index-version", "4")
        repo.settle()
        self.assertIs(read_code_version(repo.path)["dirty"], False)
        repo.write("pkg/mod_two.py", "y = 22\n")
        self.assertIs(read_code_version(repo.path)["dirty"], True)

    def test_nothing_outside_a_repository_or_before_the_first_commit(self):
        bare = tempfile.mkdtemp(prefix="spanscope-nogit-")
        self.addCleanup(shutil.rmtree, bare, True)
        self.assertIsNone(read_code_version(bare))
        subprocess.run(["git", "init", "-q"], cwd=bare, env=GIT_ENV, check=True)
        self.assertIsNone(read_code_version(bare))


@unittest.skipUnless(shutil.which("git"), "the git CLI makes the repository")
class OnEveryTrace(unittest.TestCase):
    SCRIPT = """
        import spanscope

        @spanscope.track
        def step(x):
            return x

        step(1)
        spanscope.Client().trace(name="manual").end()
    """

    def test_a_script_in_a_repository_sends_it_and_one_outside_does_not(self):
        collector = shared_collector()
        repo = Repo(self)
        script = repo.write("run.py", "")
        project = unique_project("gitv")
        shutil.copy(write_script(self.SCRIPT), script)
        repo.settle()
        done = subprocess.run(
            [sys.executable, script],
            env=script_env(collector.url, SPANSCOPE_PROJECT=project),
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        traces = collector.finished_traces(project, 2)
        # run.py is untracked, so the tree is clean.
        expected = {"commit": repo.head(), "branch": "main", "dirty": False}
        self.assertEqual([t.get("code_version") for t in traces], [expected, expected])

        outside = unique_project("nogit")
        result = run_script(self.SCRIPT, collector.url, SPANSCOPE_PROJECT=outside)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([t.get("code_version") for t in collector.finished_traces(outside, 2)], [None, None])


if __name__ == "__main__":
    unittest.main()
