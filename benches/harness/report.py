"""Summarises wrk outputs for benches/run: one row per variant, emulator against the bare endpoint.

report.py DIR: DIR holds <variant>.emulator.txt and <variant>.bare.txt from `wrk --latency`.
"""

import pathlib
import re
import sys


def parse(path):
    text = path.read_text()

    def ms(label):
        value, unit = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "ran_out": "ran out" in text,
    }


directory = pathlib.Path(sys.argv[1])
header = f"{'variant':<22} {'emulator/s':>11} {'p50 ms':>7} {'p99 ms':>7}   {'bare/s':>9} {'p50 ms':>7} {'p99 ms':>7}   {'rate x':>6} {'p99 x':>6}  non-2xx"
print(header)
print("-" * len(header))
for emulator_file in sorted(directory.glob("*.emulator.txt")):
    name = emulator_file.name.removesuffix(".emulator.txt")
    e, b = parse(emulator_file), parse(directory / f"{name}.bare.txt")
    note = "  (pre-signed requests ran out: raise the count)" if e["ran_out"] else ""
    print(
        f"{name.replace('_', ' '):<22} {e['rps']:>11,.0f} {e['p50']:>7.3f} {e['p99']:>7.3f}   "
        f"{b['rps']:>9,.0f} {b['p50']:>7.3f} {b['p99']:>7.3f}   {e['rps'] / b['rps']:>6.2f} {e['p99'] / b['p99']:>6.2f}  {e['non2xx']}{note}"
    )
