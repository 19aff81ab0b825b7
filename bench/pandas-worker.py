"""pandas reference for `npm run bench` (run by bench/run.ts with Debian's /usr/bin/python3).

Usage: python3 bench/pandas-worker.py <ingest|profile> <file.csv>
Prints one JSON line: {impl, version, importMs, ms, cpuMs, rows, baseRssMiB, maxRssMiB}.
ingest: `pandas.read_csv(file)`. profile: after reading, the pandas equivalent of Stratum's
profile (core/data/profile.ts): describe(include='all'), missing counts, nunique, a 10-bin
numpy histogram per numeric column and the Pearson correlation matrix of the numeric columns.
`ms` excludes `import pandas` (importMs), as the Node workers exclude their imports.
"""
import json
import resource
import sys
import time

mode, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import_ms = (time.perf_counter() - t) * 1000


def rss_mib():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def cpu_ms():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return (u.ru_utime + u.ru_stime) * 1000


base = rss_mib()
t, c = time.perf_counter(), cpu_ms()
df = pd.read_csv(path)
ms, cpu = (time.perf_counter() - t) * 1000, cpu_ms() - c
if mode == 'profile':
    t, c = time.perf_counter(), cpu_ms()
    df.describe(include='all')
    df.isna().sum()
    df.nunique()
    numeric = df.select_dtypes('number')
    for name in numeric.columns:
        np.histogram(numeric[name].dropna(), bins=10)
    numeric.corr()
    ms, cpu = (time.perf_counter() - t) * 1000, cpu_ms() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({'impl': 'pandas', 'version': pd.__version__, 'importMs': import_ms, 'ms': ms, 'cpuMs': cpu, 'rows': len(df), 'baseRssMiB': base, 'maxRssMiB': peak}))
