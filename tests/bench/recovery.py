#!/usr/bin/env python3
"""Recovery detection delay: how long after a camera accepts again does
camwatch record it online (`make bench`, not a test).

Eight cameras, each its own camsim process, are killed and restarted three
times with downtimes of 4-20 s (24 outages per probe setting; a fixed seed,
so every run plays the same schedule). The delay of each recovery is the
first online span's start minus the moment camsim listened again (its ready
file). Measured for the default probe_interval (5 s) and for 1 s, and
printed as a Markdown table.
"""
import os
import random
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import truth  # noqa: E402  (its camsim/camwatchd helpers and cleanup)

CAMERAS, ROUNDS = 8, 3


def measure(probe):
    truth.PROBE = probe
    run = truth.Run("bench-p%g" % probe)
    sims = [truth.Sim(run.name, "c%d" % i) for i in range(CAMERAS)]
    for s in sims:
        s.spawn()
    run.write_config([(s.name, s.port) for s in sims])
    while any(s.pending_ready for s in sims):
        for s in sims:
            s.poll_ready()
        time.sleep(0.05)
    run.start_daemon()
    rng = random.Random(7)
    # (time, camera, action): each camera up 10-20 s, then down 4-20 s
    acts, t = [], time.time() + 5
    for s in sims:
        at = t + rng.uniform(0, 10)
        for _ in range(ROUNDS):
            down = rng.uniform(4, 20)
            acts += [(at, s, "kill"), (at + down, s, "start")]
            at += down + rng.uniform(10, 20)
    acts.sort(key=lambda a: a[0])
    for when, s, what in acts:
        while time.time() < when:
            for x in sims:
                x.poll_ready()
            time.sleep(0.01)
        s.kill() if what == "kill" else s.spawn()
    end = time.time() + max(8, 2 * probe)
    while time.time() < end:
        for x in sims:
            x.poll_ready()
        time.sleep(0.02)
    run.daemon.terminate()
    run.daemon.wait()
    con = sqlite3.connect(run.db)
    delays = []
    for s in sims:
        onl = [r[0] / 1e6 for r in con.execute(
            "SELECT start_us FROM spans WHERE camera = ? AND state = 'online' ORDER BY start_us", (s.name,))]
        for _, up in s.down:
            if up is None:
                continue
            after = [o for o in onl if o >= up - 0.5]
            delays.append(after[0] - up if after else float("inf"))
    con.close()
    return sorted(delays)


def pct(d, p):
    return d[min(len(d) - 1, int(round(p / 100.0 * (len(d) - 1))))]


def main():
    print("| probe_interval | outages | recovery delay p50 (s) | p95 (s) | max (s) | bound: probe_interval + 1 s |")
    print("|---|---|---|---|---|---|")
    for probe in (5.0, 1.0):
        d = measure(probe)
        print("| %g s | %d | %.2f | %.2f | %.2f | %s |" % (probe, len(d), pct(d, 50), pct(d, 95), d[-1],
                                                        "held" if d[-1] <= probe + 1 else "NOT held"))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
