"""Per-call cost of ``@spanscope.track`` on a trivial function, against a minimal
contextvar-and-append decorator measured in the same run (DESIGN.md: p50 <= 5 us and
<= 3x the minimal decorator).

The SDK reports to a real collector (``node dist/cli.js serve``, started here on a free
port with a temp store), so its sender thread does all its real work during the run.
Variants are timed in blocks of calls, in rotating order, so load on the machine falls on
all of them alike. Per call: p50 over blocks and the mean over all calls. The sender's own
CPU time (serialising and sending, on its thread) is reported per span as well: it does not
delay the call, but in a tight loop it competes for the GIL and shows up in the mean.

    python3 bench/python_overhead.py [--calls 40000] [--block 200] [--json]
"""

import argparse
import contextvars
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "sdk", "python"))


def start_collector():
    cli = os.path.join(REPO, "dist", "cli.js")
    if not os.path.exists(cli):
        subprocess.run(["node", "scripts/build.mjs"], cwd=REPO, check=True)
    data = tempfile.mkdtemp(prefix="spanscope-bench-")
    process = subprocess.Popen(["node", cli, "serve", "--port", "0", "--data", data, "--token", "bench"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("Spanscope listening on "):
        process.kill()
        raise SystemExit("collector did not start: %r" % line)
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, data, line.split()[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=40_000, help="calls per variant")
    parser.add_argument("--block", type=int, default=200, help="calls per timed block")
    parser.add_argument("--json", action="store_true", help="print one JSON line only")
    args = parser.parse_args()

    process, data, url = start_collector()
    try:
        os.environ["SPANSCOPE_URL"] = url
        os.environ["SPANSCOPE_PROJECT"] = "bench"
        import spanscope

        # Room for every span of the run, so nothing is dropped (drops would flatter the SDK).
        spanscope.configure(url=url, queue_size=4 * args.calls + 1000)
        result = measure(spanscope, args.calls, args.block)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        report(result)


def measure(spanscope, calls, block):
    current = contextvars.ContextVar("minimal", default=None)
    buffer = []

    def minimal(fn):
        # The floor any contextvar-based tracer pays: set the current span, call, reset,
        # keep a record.
        def wrapper(*args, **kwargs):
            token = current.set(fn)
            try:
                result = fn(*args, **kwargs)
            finally:
                current.reset(token)
            buffer.append((fn, args, kwargs, result))
            return result

        return wrapper

    def plain(x):
        return x

    minimal_fn = minimal(plain)
    tracked = spanscope.track(plain)

    nested_samples = []

    @spanscope.track
    def outer(rounds):
        # The same trivial call, nested: a child span in an open trace (no trace per call).
        for _ in range(rounds):
            nested_samples.append(_block(tracked, block))

    variants = {"plain": plain, "minimal": minimal_fn, "track": tracked}
    samples = {name: [] for name in variants}
    rounds = calls // block
    for fn in variants.values():  # warm up (and start the sender thread)
        _block(fn, block)
    spanscope.flush(timeout=30)
    buffer.clear()

    cpu_start, main_cpu_start = time.process_time(), time.thread_time()
    names = list(variants)
    for r in range(rounds):
        for name in names[r % 3:] + names[:r % 3]:
            samples[name].append(_block(variants[name], block))
        if len(buffer) > 100_000:
            buffer.clear()
    outer(rounds)
    flushed = spanscope.flush(timeout=60)
    background_cpu = (time.process_time() - cpu_start) - (time.thread_time() - main_cpu_start)
    samples["track (nested)"] = nested_samples
    spans = 2 * rounds * block + 1

    out = {"calls_per_variant": rounds * block, "block": block, "python": sys.version.split()[0],
           "all_delivered": flushed, "dropped": spanscope._sender.sender.dropped}
    for name, values in samples.items():
        out[name] = {"p50_us": round(statistics.median(values), 3), "mean_us": round(statistics.fmean(values), 3)}
    out["sender_cpu_per_span_us"] = round(background_cpu / spans * 1e6, 2)
    out["ratio_p50_track_vs_minimal"] = round(out["track"]["p50_us"] / out["minimal"]["p50_us"], 2)
    out["ratio_p50_nested_vs_minimal"] = round(out["track (nested)"]["p50_us"] / out["minimal"]["p50_us"], 2)
    out["target_met"] = out["track"]["p50_us"] <= 5.0 and out["ratio_p50_track_vs_minimal"] <= 3.0
    return out


def _block(fn, size):
    clock = time.perf_counter_ns
    start = clock()
    for i in range(size):
        fn(i)
    return (clock() - start) / size / 1000.0


def report(r):
    print("Python @track overhead (Python %s, %d calls per variant, blocks of %d)" % (
        r["python"], r["calls_per_variant"], r["block"]))
    print("  %-16s %10s %10s" % ("variant", "p50 us", "mean us"))
    for name in ("plain", "minimal", "track", "track (nested)"):
        print("  %-16s %10.3f %10.3f" % (name, r[name]["p50_us"], r[name]["mean_us"]))
    print("  track / minimal (p50): %.2fx   nested / minimal (p50): %.2fx" % (
        r["ratio_p50_track_vs_minimal"], r["ratio_p50_nested_vs_minimal"]))
    print("  sender thread CPU per span: %.2f us (off the call path)" % r["sender_cpu_per_span_us"])
    print("  all delivered: %s, dropped: %d" % (r["all_delivered"], r["dropped"]))
    print("  target (p50 <= 5 us and <= 3x minimal): %s" % ("met" if r["target_met"] else "MISSED"))


if __name__ == "__main__":
    main()
