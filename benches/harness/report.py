"""Summarises wrk outputs for benches/run: one row per variant, emulator against the bare endpoint,
then the durable variants against the same variant in memory.

report.py DIR: DIR holds <variant>.emulator.txt and <variant>.bare.txt from `wrk --latency`, and
for durable variants <variant>.durable-<sync>.txt (an emulator with --data-dir and --sync <sync>).
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
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "ran_out": "ran out" in text,
        "errors": errors.group(1).strip() if errors else None,
    }


def notes(run):
    out = ""
    if run["ran_out"]:
        out += "  (pre-signed requests ran out: raise the count)"
    if run["errors"]:
        out += f"  (socket errors: {run['errors']})"
    return out


def label(name):
    return name.replace("_", " ")


directory = pathlib.Path(sys.argv[1])
header = f"{'variant':<22} {'emulator/s':>11} {'p50 ms':>7} {'p99 ms':>7}   {'bare/s':>9} {'p50 ms':>7} {'p99 ms':>7}   {'rate x':>6} {'p99 x':>6}  non-2xx"
print(header)
print("-" * len(header))
for emulator_file in sorted(directory.glob("*.emulator.txt")):
    name = emulator_file.name.removesuffix(".emulator.txt")
    e, b = parse(emulator_file), parse(directory / f"{name}.bare.txt")
    print(
        f"{label(name):<22} {e['rps']:>11,.0f} {e['p50']:>7.3f} {e['p99']:>7.3f}   "
        f"{b['rps']:>9,.0f} {b['p50']:>7.3f} {b['p99']:>7.3f}   {e['rps'] / b['rps']:>6.2f} {e['p99'] / b['p99']:>6.2f}  {e['non2xx']}{notes(e)}"
    )

SYNC_ORDER = {"normal.txt": 0, "full.txt": 1}
durable = sorted(
    directory.glob("*.durable-*.txt"),
    key=lambda p: (SYNC_ORDER.get(p.name.split(".durable-")[1], 2), p.name),
)
if durable:
    print()
    header = f"{'durable variant':<22} {'sync':<6} {'durable/s':>10} {'p50 ms':>7} {'p99 ms':>7}   {'memory/s':>9} {'p99 ms':>7}   {'rate x':>6} {'p99 x':>6}  non-2xx"
    print(header)
    print("-" * len(header))
    for path in durable:
        name, sync = path.name.removesuffix(".txt").split(".durable-")
        d = parse(path)
        memory_file = directory / f"{name}.emulator.txt"
        if memory_file.exists():
            m = parse(memory_file)
            versus = f"{m['rps']:>9,.0f} {m['p99']:>7.3f}   {d['rps'] / m['rps']:>6.2f} {d['p99'] / m['p99']:>6.2f}"
        else:
            versus = f"{'-':>9} {'-':>7}   {'-':>6} {'-':>6}"
        print(
            f"{label(name):<22} {sync:<6} {d['rps']:>10,.0f} {d['p50']:>7.3f} {d['p99']:>7.3f}   {versus}  {d['non2xx']}{notes(d)}"
        )
