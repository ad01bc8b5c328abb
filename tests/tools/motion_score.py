#!/usr/bin/env python3
"""Scores `camwatch analyze` motion events against a clip's truth.

usage: motion_score.py TRUTH ANALYZE_OUTPUT [--plugin motion] [--late 1.5]

TRUTH lines are "kind start end" (seconds); kind "moving" is people
walking, every other kind (still, ramp, headlights, shadow, insects) has
nothing to find. An event belongs to the walking segment it overlaps
(allowing for its end being the last positive analysis, 0.5 s past the
segment); any other event is a false alarm, counted against the kind of
segment it started in.

A walking segment is found in time (strict recall) when an event that
belongs to it starts no later than LATE seconds after the segment does;
late when the first such event starts later; missed when none does.
Latency is that first start minus the segment's start (never below 0).
Overrun is how long past the segment's end (the people gone or still)
the last event that belongs to it ran (its last positive analysis; 0 when
it ended within the segment): rain or shake that keeps an event alive
shows there.

Prints one line per walking segment, then
  summary in_time=N late=N missed=N walking=N false=N false_by=KIND:N,...
          latency_p50=S latency_max=S overrun_max=S
and exits 0 (the caller decides what is good enough)."""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("output")
    ap.add_argument("--plugin", default="motion")
    ap.add_argument("--late", type=float, default=1.5)
    a = ap.parse_args()

    segs = []
    with open(a.truth) as f:
        for n, line in enumerate(f, 1):
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if len(w) != 3:
                sys.exit(f"{a.truth}:{n}: want 'kind start end', got {line.strip()!r}")
            segs.append((w[0], float(w[1]), float(w[2])))
    events = []
    with open(a.output) as f:
        for line in f:
            w = line.split()
            if len(w) >= 4 and w[0] == "event" and w[1] == a.plugin:
                kv = dict(x.split("=", 1) for x in w[2:] if "=" in x)
                events.append((float(kv["start"]), float(kv["end"])))

    walks = [(s, e) for k, s, e in segs if k == "moving"]
    first = [None] * len(walks)
    last_end = [None] * len(walks)
    false_by = {}
    for es, ee in events:
        owner = None
        for i, (s, e) in enumerate(walks):
            if es < e + 0.5 and ee >= s:
                owner = i
                break
        if owner is not None:
            if first[owner] is None or es < first[owner]:
                first[owner] = es
            if last_end[owner] is None or ee > last_end[owner]:
                last_end[owner] = ee
            continue
        kind = next((k for k, s, e in segs if s <= es < e), "after-end")
        false_by[kind] = false_by.get(kind, 0) + 1

    in_time = late = missed = 0
    lat = []
    overrun = [max(0.0, le - e) for (s, e), le in zip(walks, last_end) if le is not None]
    for (s, e), t, le in zip(walks, first, last_end):
        if t is None:
            missed += 1
            verdict, d = "missed", None
        else:
            d = max(0.0, t - s)
            lat.append(d)
            if d <= a.late:
                in_time += 1
                verdict = "in-time"
            else:
                late += 1
                verdict = "late"
        print(f"walk {s:g}-{e:g} {verdict}" + (f" latency={d:.2f}" if d is not None else "")
              + (f" overrun={max(0.0, le - e):.2f}" if le is not None else ""))
    lat.sort()
    p50 = lat[(len(lat) - 1) // 2] if lat else float("nan")
    mx = lat[-1] if lat else float("nan")
    fb = ",".join(f"{k}:{v}" for k, v in sorted(false_by.items())) or "-"
    print(f"summary in_time={in_time} late={late} missed={missed} walking={len(walks)} "
          f"false={sum(false_by.values())} false_by={fb} latency_p50={p50:.2f} latency_max={mx:.2f} "
          f"overrun_max={max(overrun) if overrun else 0:.2f}")


if __name__ == "__main__":
    main()
