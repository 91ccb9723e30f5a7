#!/usr/bin/env python3
"""Summarises the JSON lines written by bench/compare.sh (and bench/cluster.sh) into tables:
medians per server, the ratio jnatsd/upstream and the spread of the rounds; for runs across the
servers of a cluster also how long interest took to cross and how a queue group's messages were
shared among the nodes."""
import json
import statistics
import sys
from collections import defaultdict

SERVERS = ("jnatsd", "upstream")
# Workloads timed per operation; JetStream runs carry a sync-mode suffix (kv-put/default).
LATENCY = ("reqrep", "kv-put", "kv-get")


def is_latency(workload):
    return (workload or "").split("/")[0] in LATENCY


def human(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


def spread(vals):
    """Relative range of the rounds, (max - min) / median, with min-max."""
    if not vals:
        return "-"
    med = statistics.median(vals)
    rel = (max(vals) - min(vals)) / med * 100 if med else 0.0
    return f"{rel:4.1f}% ({human(min(vals))}-{human(max(vals))})"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def med(vals):
    return statistics.median(vals) if vals else None


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i > 0 else str(c).ljust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(headers).rstrip())
    print(line(["-" * w for w in widths]).rstrip())
    for r in rows:
        print(line(r).rstrip())


def main(path):
    runs = defaultdict(lambda: defaultdict(list))    # (workload, size) -> server -> [result]
    failures = defaultdict(lambda: defaultdict(int))
    resources = defaultdict(lambda: defaultdict(list))  # probe -> server -> [result]
    order = []
    rounds = set()
    with open(path) as f:
        for raw in f:
            raw = raw.strip()
            if not raw:
                continue
            rec = json.loads(raw)
            server = rec["server"]
            if "resource" in rec:
                resources[rec["resource"].get("probe", "?")][server].append(rec["resource"])
                continue
            res = rec["result"]
            key = (res.get("workload"), res.get("size"))
            if key not in order:
                order.append(key)
            rounds.add(rec.get("round"))
            if "error" in res:
                failures[key][server] += 1
            else:
                runs[key][server].append(res)

    thr = [k for k in order if not is_latency(k[0])]
    if thr:
        print(f"\nThroughput: median of {len(rounds)} round(s); msgs/s delivered "
              "(pub, js-pub: published; fanout: deliveries to all subscribers; js-pull, js-push: consumed); "
              "ratio > 1 = jnatsd faster")
        rows = []
        for key in thr:
            w, size = key
            vals = {s: [r["deliveries_per_sec"] for r in runs[key][s]] for s in SERVERS}
            msgs = next((r["msgs"] for s in SERVERS for r in runs[key][s]), "-")
            fails = " ".join(f"{s}:{failures[key][s]} FAILED" for s in SERVERS if failures[key][s])
            rows.append([w, size, msgs, human(med(vals["jnatsd"])), human(med(vals["upstream"])),
                         ratio(med(vals["jnatsd"]), med(vals["upstream"])),
                         spread(vals["jnatsd"]), spread(vals["upstream"]), fails])
        table(["workload", "size", "msgs", "jnatsd", "upstream", "ratio", "jnatsd spread", "upstream spread", ""], rows)

    lat = [k for k in order if is_latency(k[0])]
    if lat:
        print(f"\nLatency (reqrep, kv-put, kv-get): median of {len(rounds)} round(s), microseconds; "
              "latency ratio < 1 = jnatsd faster, ops/s ratio > 1 = jnatsd faster")
        rows = []
        for key in lat:
            w, size = key
            r = {s: runs[key][s] for s in SERVERS}
            m = lambda s, f: med([x[f] for x in r[s]])
            fails = " ".join(f"{s}:{failures[key][s]} FAILED" for s in SERVERS if failures[key][s])
            row = [w, size, next((x["msgs"] for s in SERVERS for x in r[s]), "-")]
            for field in ("p50_us", "p90_us", "p99_us", "p999_us", "max_us"):
                row.append(f"{human(m('jnatsd', field))} / {human(m('upstream', field))} = {ratio(m('jnatsd', field), m('upstream', field))}")
            row.append(f"{human(m('jnatsd', 'req_per_sec'))} / {human(m('upstream', 'req_per_sec'))} = {ratio(m('jnatsd', 'req_per_sec'), m('upstream', 'req_per_sec'))}")
            row.append(spread([x["p50_us"] for x in r["jnatsd"]]))
            row.append(spread([x["p50_us"] for x in r["upstream"]]))
            row.append(fails)
            rows.append(row)
        table(["workload", "size", "ops", "p50 jnatsd/up", "p90", "p99", "p99.9", "max", "ops/s", "jnatsd p50 spread", "upstream p50 spread", ""], rows)

    across = [k for k in order if any("interest_ms" in r for s in SERVERS for r in runs[k][s])]
    if across:
        print("\nAcross the cluster (unmeasured): interest = ms until the subscribers' interest reached the "
              "publisher's node (median); queue = share of the messages taken by the members on each node, "
              "in --member-urls order (A = the publisher's node), median over the rounds")
        rows = []
        for key in across:
            w, size = key
            row = [w, size]
            for s in SERVERS:
                row.append(human(med([r["interest_ms"] for r in runs[key][s] if "interest_ms" in r])))
            for s in SERVERS:
                shares = []
                for r in runs[key][s]:
                    by = r.get("received_by_server")
                    if by:
                        total = sum(by.values()) or 1
                        shares.append([100.0 * v / total for v in by.values()])
                if shares:
                    cols = zip(*shares)
                    row.append(" ".join(f"{chr(ord('A') + i)} {statistics.median(c):.0f}%" for i, c in enumerate(cols)))
                else:
                    row.append("-")
            rows.append(row)
        table(["workload", "size", "interest jnatsd", "interest upstream", "queue share jnatsd", "queue share upstream"], rows)

    if resources:
        print("\nResources (fresh server each; ratio = jnatsd/upstream, lower is better)")
        rows = []

        def add(label, probe, field, fmt=human):
            vals = {s: [x[field] for x in resources[probe][s] if field in x] for s in SERVERS}
            if not any(vals.values()):
                return
            j, u = med(vals["jnatsd"]), med(vals["upstream"])
            rows.append([label, fmt(j), fmt(u), ratio(j, u),
                         f"n={len(vals['jnatsd'])}/{len(vals['upstream'])}"])

        kb = lambda v: "-" if v is None else f"{v / 1024:.1f} MiB"
        add("startup to first accepted connection (ms)", "startup", "startup_ms")
        n = next((x["count"] for s in SERVERS for x in resources["connections"][s] if "count" in x), None)
        add("RSS idle server", "connections", "rss_before_kb", kb)
        add(f"RSS with {n} idle connections", "connections", "rss_after_kb", kb)
        add("  per connection (KiB)", "connections", "rss_per_conn_kb", lambda v: "-" if v is None else f"{v:.1f}")
        n = next((x["count"] for s in SERVERS for x in resources["subscriptions"][s] if "count" in x), None)
        add(f"time to create {n} subscriptions (ms)", "subscriptions", "subscribe_ms")
        add(f"RSS after {n} subscriptions", "subscriptions", "rss_after_kb", kb)
        add("  per subscription (bytes)", "subscriptions", "bytes_per_sub", lambda v: "-" if v is None else f"{v:.0f}")
        for probe in ("connections", "subscriptions"):
            for s in SERVERS:
                if any("error" in x for x in resources[probe][s]):
                    rows.append([f"{probe} probe", "", "", "", f"{s} FAILED"])
        table(["measure", "jnatsd", "upstream", "ratio", ""], rows)


if __name__ == "__main__":
    main(sys.argv[1])
