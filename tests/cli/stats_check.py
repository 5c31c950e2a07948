#!/usr/bin/python3
"""Independent check of the statistics `benchlua results` and `benchlua compare`
print, for tests/cli/results.t. Reads the runs' sample logs itself and computes,
with Python's math and fractions only (no code shared with benchlua):
  - the Wilson interval (one sample per problem) or the t interval over
    problems (several samples) of each run's score,
  - the exact McNemar p-value (fractions, exact binomial sums) or the paired
    t-test p-value (Student's t by Simpson integration of its density),
  - the paired 95% interval of the difference and the sorted flips,
and compares them with what benchlua printed (--format json).

usage: stats_check.py RESULTS_FILE A B   (prints one line per check; exit 1 on a mismatch)
"""
import json, math, subprocess, sys, os
from fractions import Fraction

results, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
benchlua = os.environ["BENCHLUA"]
bad = 0

def close(x, y, tol=1e-9):
    return abs(x - y) <= tol * max(1.0, abs(x), abs(y))

def report(name, ok, detail):
    global bad
    print(("ok   " if ok else "FAIL ") + name + ": " + detail)
    if not ok:
        bad += 1

def t_pdf(x, v):
    return math.exp(math.lgamma((v + 1) / 2) - math.lgamma(v / 2)) / math.sqrt(v * math.pi) * (1 + x * x / v) ** (-(v + 1) / 2)

def t_cdf0(t, v, steps=20000):  # integral of the density from 0 to t (Simpson)
    h = t / steps
    s = t_pdf(0, v) + t_pdf(t, v)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * t_pdf(i * h, v)
    return s * h / 3

def t_two_sided(t, v):
    return 1 - 2 * t_cdf0(abs(t), v)

def t_q975(v):
    lo, hi = 0.0, 50.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if t_cdf0(mid, v, 4000) < 0.475:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2

def per_problem(run):
    n, c, order = {}, {}, []
    for line in open(os.path.join(run["run_dir"], "samples.jsonl")):
        r = json.loads(line)
        if "task_id" not in r or not isinstance(r.get("passed"), bool):
            continue
        if r["task_id"] not in n:
            order.append(r["task_id"])
            n[r["task_id"]] = c[r["task_id"]] = 0
        n[r["task_id"]] += 1
        c[r["task_id"]] += r["passed"]
    return order, n, c

def mean_sd(xs):
    m = sum(xs) / len(xs)
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))

runs = json.load(open(results))["runs"]
shown = {r["run"]: r for r in map(json.loads, subprocess.check_output([benchlua, "results", results, "--format", "jsonl"]).decode().splitlines())}
data = {}
for num in (a, b):
    order, n, c = per_problem(runs[num - 1])
    data[num] = (order, n, c)
    rates = [c[t] / n[t] for t in order]
    got = shown[num]["ci95"]
    if all(n[t] == 1 for t in order):
        k, N, z = sum(c.values()), len(order), 1.959963984540054
        p = k / N
        center = (p + z * z / (2 * N)) / (1 + z * z / N)
        half = z / (1 + z * z / N) * math.sqrt(p * (1 - p) / N + z * z / (4 * N * N))
        want = [center - half, center + half]
        what = "Wilson %d/%d" % (k, N)
    else:
        m, sd = mean_sd(rates)
        half = t_q975(len(rates) - 1) * sd / math.sqrt(len(rates))
        want = [max(0, m - half), min(1, m + half)]
        what = "t interval over %d problems" % len(rates)
    report("run %d interval" % num, close(got[0], want[0], 1e-6) and close(got[1], want[1], 1e-6),
           "%s [%.6f, %.6f], benchlua [%.6f, %.6f]" % (what, want[0], want[1], got[0], got[1]))

cmp = json.loads(subprocess.check_output([benchlua, "compare", str(a), str(b), "--results", results, "--format", "json"]))
(oa, na, ca), (ob, nb, cb) = data[a], data[b]
common = [t for t in oa if t in nb]
a_only = sorted(t for t in common if ca[t] > 0 and cb[t] == 0)
b_only = sorted(t for t in common if cb[t] > 0 and ca[t] == 0)
report("flips", cmp["flips"]["passed_in_a_only"] == a_only and cmp["flips"]["passed_in_b_only"] == b_only,
       "%d passed in %d only, %d in %d only" % (len(a_only), a, len(b_only), b))
ds = [cb[t] / nb[t] - ca[t] / na[t] for t in common]
m, sd = mean_sd(ds)
half = t_q975(len(ds) - 1) * sd / math.sqrt(len(ds))
report("delta interval", close(cmp["delta"], m) and close(cmp["ci95"][0], m - half, 1e-6) and close(cmp["ci95"][1], m + half, 1e-6),
       "%+.6f [%+.6f, %+.6f], benchlua %+.6f [%+.6f, %+.6f]" % (m, m - half, m + half, cmp["delta"], cmp["ci95"][0], cmp["ci95"][1]))
if all(na[t] == 1 and nb[t] == 1 for t in common):
    B, C = len(a_only), len(b_only)
    p = min(Fraction(1), 2 * sum(Fraction(math.comb(B + C, i), 2 ** (B + C)) for i in range(min(B, C) + 1)))
    report("McNemar", cmp["test"] == "exact McNemar" and close(cmp["p_value"], float(p), 1e-12),
           "b=%d c=%d exact p=%s=%.10f, benchlua %s p=%.10f" % (B, C, p, float(p), cmp["test"], cmp["p_value"]))
else:
    t = m / (sd / math.sqrt(len(ds)))
    p = t_two_sided(t, len(ds) - 1)
    report("paired t-test", cmp["test"] == "paired t-test over problems" and close(cmp["p_value"], p, 1e-7),
           "t=%.6f df=%d p=%.8f, benchlua %s p=%.8f" % (t, len(ds) - 1, p, cmp["test"], cmp["p_value"]))
sys.exit(1 if bad else 0)
