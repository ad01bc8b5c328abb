#!/usr/bin/env python3
"""Does tests/unit/test_alert_policy.c notice when an alert rule breaks?

Each mutant below changes one rule in daemon/alert_policy.c or
daemon/outbox.c (a grace off by a tick, flapping never told, places never
folded, the cooldown ignored, an acknowledgement from before the outage
counted, a delivery sent before its row is committed, ...); the script
builds the test against it (in build-mut/) and says which cases failed.
Every mutant must be caught by at least one case; the sources are restored
afterwards. Run from the repository: python3 tests/alert_mutants.py
"""
import os, shutil, subprocess, sys

muts = [
 ("daemon/alert_policy.c", "now - c->down_since >= ac->offline_grace_us", "now - c->down_since > ac->offline_grace_us"),
 ("daemon/alert_policy.c", "    } else if (!c->flap_sent) {", "    } else if (!c->flap_sent && 0) {"),
 ("daemon/alert_policy.c", "if (together < 2 || together < ac->place_share * total)", "if (together < 2 || together < 1.01 * total)"),
 ("daemon/alert_policy.c", "for (int level = 1; level >= 0; level--)", "for (int level = 0; level >= 0; level--)"),
 ("daemon/alert_policy.c", "continue; /* held: told when the maintenance window ends */", "(void)0;"),
 ("daemon/alert_policy.c", "if (cd > 0 && c->motion_sent_us && now - c->motion_sent_us < cd) {", "if (cd < 0) {"),
 ("daemon/alert_policy.c", "now - c->motion_more_last < cd)", "now - c->motion_more_last < 0)"),
 ("daemon/alert_policy.c", "ack_at >= c->down_since", "ack_at >= 0"),
 ("daemon/alert_policy.c", "        if (stream_ended)\n", "        if (stream_ended && 0)\n"),
 ("daemon/alert_policy.c", "if (still >= 2 && still >= p->p.cfg->place_share * pl->n)", "if (still >= 1)"),
 ("daemon/alert_policy.c", "p->cams[i].alert_after_us = now + p->p.cfg->offline_grace_us;", "p->cams[i].alert_after_us = now;"),
 ("daemon/alert_policy.c", "if (c->recovered_us && !c->down && !maintenance(p, c, now))", "if (0)"),
 ("daemon/alert_policy.c", "    if (!p->p.maintenance)\n        return NULL;", "    if (p)\n        return NULL;"),
 ("daemon/alert_policy.c", "if (now - pic->good_since < ac->offline_grace_us)", "if (now - pic->good_since < 0)"),
 ("daemon/outbox.c", "dl->held = until && severity_rank(al->severity) < t->quiet_pass_rank;", "dl->held = until && severity_rank(al->severity) < 3;"),
 ("daemon/outbox.c", "RETRY_MIN_US << (dl->attempts - 1 < 7 ? dl->attempts - 1 : 7)", "RETRY_MIN_US"),
 ("daemon/outbox.c", "late < o->p.cfg->late_after_us", "late < 0 * o->p.cfg->late_after_us"),
 ("daemon/outbox.c", "if (ac->escalate_to && ac->escalate_to[0] && !strcmp(t->name, ac->escalate_to))", "if (0)"),
 ("daemon/outbox.c", "dl->seq <= o->committed && ", ""),
]

def main():
    orig = {f: open(f).read() for f in set(m[0] for m in muts)}
    missed = 0
    try:
        for f, old, new in muts:
            for g, s in orig.items():
                open(g, 'w').write(s)
            assert orig[f].count(old) == 1, old
            open(f, 'w').write(orig[f].replace(old, new))
            b = subprocess.run(["make", "BUILD=build-mut", "-j2", "build-mut/tests/test_alert_policy"],
                               capture_output=True, text=True)
            if b.returncode:
                print("mutant does not build:", old, b.stderr[-400:])
                missed += 1
                continue
            r = subprocess.run(["build-mut/tests/test_alert_policy"], capture_output=True, text=True,
                               env=dict(os.environ, CW_TEST_DATA="tests/data"))
            failed = sorted(set(l.split()[-1] for l in (r.stdout + r.stderr).splitlines()
                                if l.startswith("[  FAILED  ] ") and l.endswith(".case")))
            missed += not failed
            print(f"{f.split('/')[-1]}: {old.strip()[:70]!r}\n    caught by: {', '.join(failed) or 'NOTHING'}")
    finally:
        for g, s in orig.items():
            open(g, 'w').write(s)
        shutil.rmtree("build-mut", ignore_errors=True)
    print(f"{len(muts) - missed} of {len(muts)} mutants caught")
    return 1 if missed else 0

if __name__ == "__main__":
    sys.exit(main())
