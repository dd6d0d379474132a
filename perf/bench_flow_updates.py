#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""JSON-RPC client of bench_flow_updates.sh: pushes flow rules to vswitchd in
flow.bundle requests and times them, and does the counter accounting.

Subcommands (all take --socket, the daemon's control socket, and --bridge):
  add      adds --rules rules in bundles of --bundle "add" operations, and
           reports the adds per second, each bundle's latency, the traffic
           rate before, during and after, and the daemon's memory growth
  del      deletes the rules add added (they carry --cookie), timed
  rate     prints the rate of the forwarding directions over --seconds
  account  checks that every frame received on each forwarding rule's input
           port left by its output port or is counted as a drop reason

Only the standard library; every result is printed as text and, with --json
FILE, written as JSON.
"""

import argparse
import json
import os
import socket
import sys
import time

# Drop reasons by side, as datapath/dp_stats.h lists them. rx_missed happens
# in the device, before the frame is counted in rx_packets.
RX_REASONS = ("runt", "bad_src_mac", "vlan_filtered", "oversize", "same_port", "no_port",
              "no_match", "rule_drop", "ttl_exceeded")
TX_REASONS = ("mtu_exceeded", "tx_queue_full", "tx_link_down", "no_mbuf")
# Drops before a frame reaches the flow tables: no rule is asked about it.
PRE_CLASSIFY = ("runt", "bad_src_mac", "vlan_filtered", "oversize")
# What a rule set that lost or misdirected a frame it should forward would show.
RULE_CAUSED = ("no_match", "rule_drop", "same_port", "no_port", "ttl_exceeded")
# The receiver was slow (its ring was full), or went away: not the rules' doing.
RECEIVER_CAUSED = ("tx_queue_full", "tx_link_down")
N_SHAPES = 10
PRIO_BASE = 100
PRIO_BAND = 6000  # priorities of one shape: PRIO_BASE + shape * PRIO_BAND + 0..PRIO_SPREAD-1
PRIO_SPREAD = 5000
# Rule i carries cookie (--cookie << 20) | i / COOKIE_GROUP, so that the accounting can
# dump the rules group by group: answers of about 2 MB rather than one of 20 MB.
COOKIE_GROUP = 10000
COOKIE_SHIFT = 20
ALL_BITS = (1 << 64) - 1


class RpcError(Exception):
    pass


class Rpc:
    """One connection; requests and responses are single lines."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.rfile = self.sock.makefile("rb")
        self.next_id = 1

    def line(self, method, params):
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.next_id += 1
        return (json.dumps(req, separators=(",", ":")) + "\n").encode()

    def send_line(self, data):
        self.sock.sendall(data)
        resp = self.rfile.readline()
        if not resp:
            raise RpcError("vswitchd closed the connection")
        msg = json.loads(resp)
        if "error" in msg:
            raise RpcError("%s: %s" % (msg["error"].get("code"), msg["error"].get("message")))
        return msg["result"]

    def call(self, method, params=None):
        return self.send_line(self.line(method, params if params is not None else {}))


def mac(prefix, j):
    return "%s:%02x:%02x:%02x" % (prefix, (j >> 16) & 255, (j >> 8) & 255, j & 255)


def rule_cookie(i, cookie):
    return (cookie << COOKIE_SHIFT) | (i // COOKIE_GROUP)


def rule_text(i, cookie, in_port, out_port):
    """Rule i of the set: shape i % 10 with values from j = i / 10 (distinct for
    every j below 65536), a priority in the shape's own band, so that two rules
    of one priority always have the same shape and different values and never
    overlap. Priorities stay between 100 and 59099: below the forwarding rules
    (65535), above the default rule (0)."""
    s, j = i % N_SHAPES, i // N_SHAPES
    hi, lo = (j >> 8) & 255, j & 255
    match = (
        "ip,nw_dst=10.%d.%d.0/24" % (hi, lo),
        "ip,nw_dst=11.%d.%d.%d" % ((j >> 16) & 255, hi, lo),
        "ip,nw_src=172.%d.%d.0/24,nw_dst=10.0.0.0/8" % (hi, lo),
        "tcp,tp_dst=%d" % (1024 + j),
        "udp,nw_dst=12.%d.%d.0/24,tp_dst=53" % (hi, lo),
        "tcp,nw_src=192.168.0.0/16,nw_dst=13.%d.%d.%d,tp_dst=443" % ((j >> 16) & 255, hi, lo),
        "dl_dst=%s" % mac("02:aa:00", j),
        "dl_vlan=%d,dl_dst=%s" % (1 + j % 4094, mac("02:bb:00", j)),
        "in_port=%s,dl_src=%s" % (in_port, mac("02:cc:00", j)),
        "ip,ip_dscp=%d,nw_dst=14.%d.%d.0/24" % (j % 64, hi, lo),
    )[s]
    action = ("drop", "output:%s" % out_port, "normal")[j % 3]
    prio = PRIO_BASE + s * PRIO_BAND + j % PRIO_SPREAD
    return "table=0,priority=%d,cookie=%#x,%s,actions=%s" % (prio, rule_cookie(i, cookie), match,
                                                           action)


def proc_status(pid):
    """VmRSS, VmHWM and HugetlbPages of pid, in kB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            key, _, val = ln.partition(":")
            if key in ("VmRSS", "VmHWM", "HugetlbPages"):
                out[key] = int(val.split()[0])
    return out


def thread_cpu(pid):
    """CPU seconds of each thread of pid: {tid: (name, seconds)}."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                st = f.read()
        except OSError:
            continue
        name = st[st.index("(") + 1:st.rindex(")")]
        fields = st[st.rindex(")") + 2:].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return out


def port_stats(rpc):
    return {p["name"]: p for p in rpc.call("port.stats")["ports"]}


def flows_info(rpc, bridge):
    for br in rpc.call("show")["bridges"]:
        if br["name"] == bridge:
            return br.get("flows", {})
    raise RpcError("no bridge %s" % bridge)


def directions(spec):
    """"vm1:vm2,vm2:vm1" -> [("vm1", "vm2"), ("vm2", "vm1")]"""
    out = []
    for d in spec.split(","):
        a, _, b = d.partition(":")
        if not a or not b:
            raise SystemExit("--directions: expected IN:OUT[,IN:OUT], got %r" % spec)
        out.append((a, b))
    return out


def forwarded(stats, dirs):
    """Frames out of each direction's output port, and their sum."""
    per = [stats[o]["tx_packets"] for _, o in dirs]
    return per, sum(per)


def measure_rate(rpc, dirs, seconds):
    """Mpps out of each direction's output port over seconds."""
    if seconds <= 0:
        return None
    a, t0 = port_stats(rpc), time.monotonic()
    time.sleep(seconds)
    b, t1 = port_stats(rpc), time.monotonic()
    return [(b[o]["tx_packets"] - a[o]["tx_packets"]) / (t1 - t0) / 1e6 for _, o in dirs]


def fmt_rate(r):
    return "-" if r is None else " + ".join("%.3f" % x for x in r) + " Mpps"


def cmd_add(args):
    dirs = directions(args.directions)
    rpc = Rpc(args.socket)
    n, size = args.rules, args.bundle
    in_port = dirs[0][0]
    out_port = dirs[0][1]
    # Every request is encoded before the clock starts: the figure is the daemon's.
    reqs = []
    for start in range(0, n, size):
        ops = [{"op": "add", "rule": rule_text(args.first + i, args.cookie, in_port, out_port)}
               for i in range(start, min(start + size, n))]
        reqs.append((len(ops), rpc.line("flow.bundle", {"bridge": args.bridge, "ops": ops})))

    rate_before = measure_rate(rpc, dirs, args.rate_seconds)
    mem0 = proc_status(args.pid)
    cpu0 = thread_cpu(args.pid)
    fl0 = flows_info(rpc, args.bridge)
    st0, t0 = port_stats(rpc), time.monotonic()
    lat = []
    for k, (count, data) in enumerate(reqs):
        t = time.monotonic()
        res = rpc.send_line(data)
        lat.append(time.monotonic() - t)
        if res.get("added") != count:
            raise RpcError("bundle %d: added %s of %d rules: %s" % (k, res.get("added"), count,
                                                                    res))
    st1, t1 = port_stats(rpc), time.monotonic()
    cpu1 = thread_cpu(args.pid)
    mem1 = proc_status(args.pid)
    fl1 = flows_info(rpc, args.bridge)
    rate_after = measure_rate(rpc, dirs, args.rate_seconds)

    wall = sum(lat)
    during = [(st1[o]["tx_packets"] - st0[o]["tx_packets"]) / (t1 - t0) / 1e6 for _, o in dirs]
    # The threads that worked while the bundles ran: the control thread, and the PMD.
    busy = []
    for tid, (name, sec) in cpu1.items():
        d = sec - cpu0.get(tid, (name, 0.0))[1]
        if d >= 0.05 * (t1 - t0):
            busy.append({"tid": tid, "name": name, "cpu_pct": round(100 * d / (t1 - t0), 1)})
    rss_kb = mem1["VmRSS"] - mem0["VmRSS"]
    huge_kb = mem1.get("HugetlbPages", 0) - mem0.get("HugetlbPages", 0)
    dp_bytes = fl1.get("datapath_bytes", 0) - fl0.get("datapath_bytes", 0)
    res = {
        "label": args.label, "rules": n, "bundle": size, "bundles": len(reqs),
        "adds_per_s": n / wall, "wall_s": wall,
        "bundle_latency_ms": [round(x * 1e3, 1) for x in lat],
        "rate_before_mpps": rate_before, "rate_during_mpps": during, "rate_after_mpps": rate_after,
        "rules_before": fl0.get("n_rules"), "rules_after": fl1.get("n_rules"),
        "vmrss_kb_before": mem0["VmRSS"], "vmrss_kb_after": mem1["VmRSS"],
        "vmhwm_kb_after": mem1["VmHWM"],
        "control_bytes_per_rule": rss_kb * 1024 / n,
        "hugetlb_kb_before": mem0.get("HugetlbPages"), "hugetlb_kb_after": mem1.get("HugetlbPages"),
        "datapath_bytes_before": fl0.get("datapath_bytes"),
        "datapath_bytes_after": fl1.get("datapath_bytes"),
        "datapath_bytes_per_rule": dp_bytes / n,
        "threads_busy": busy,
    }
    lats = sorted(res["bundle_latency_ms"])
    print("%s: %d rules in %d bundles of %d: %.3f s, %.0f adds/s" %
          (args.label, n, len(reqs), size, wall, res["adds_per_s"]))
    print("%s: bundle latency ms: %s (min %.1f, median %.1f, max %.1f)" %
          (args.label, " ".join("%.1f" % x for x in res["bundle_latency_ms"]), lats[0],
           lats[len(lats) // 2], lats[-1]))
    print("%s: forwarded rate before %s, during the bundles %s, after %s" %
          (args.label, fmt_rate(rate_before), fmt_rate(during), fmt_rate(rate_after)))
    print("%s: rules %s -> %s; VmRSS %d -> %d kB (%+.0f bytes/rule, control side); "
          "HugetlbPages %s -> %s kB; datapath_bytes %s -> %s (%.0f bytes/rule)" %
          (args.label, fl0.get("n_rules"), fl1.get("n_rules"), mem0["VmRSS"], mem1["VmRSS"],
           res["control_bytes_per_rule"], mem0.get("HugetlbPages"), mem1.get("HugetlbPages"),
           fl0.get("datapath_bytes"), fl1.get("datapath_bytes"), res["datapath_bytes_per_rule"]))
    print("%s: threads busy during the bundles: %s" %
          (args.label, ", ".join("%s %s%%" % (b["name"], b["cpu_pct"]) for b in busy) or "none"))
    return res


def cmd_del(args):
    rpc = Rpc(args.socket)
    t = time.monotonic()
    mask = ALL_BITS & ~((1 << COOKIE_SHIFT) - 1)
    res = rpc.call("flow.del", {"bridge": args.bridge,
                                "filter": "cookie=%#x/%#x" % (args.cookie << COOKIE_SHIFT, mask)})
    dt = time.monotonic() - t
    out = {"label": args.label, "removed": res.get("removed"), "wall_s": dt,
           "dels_per_s": (res.get("removed") or 0) / dt}
    print("%s: removed %s rules in one request: %.3f s, %.0f deletes/s" %
          (args.label, res.get("removed"), dt, out["dels_per_s"]))
    return out


def cmd_rate(args):
    r = measure_rate(Rpc(args.socket), directions(args.directions), args.seconds)
    print(" ".join("%.3f" % x for x in r))
    return {"rate_mpps": r}


def cmd_account(args):
    dirs = directions(args.directions)
    rpc = Rpc(args.socket)
    stats = port_stats(rpc)
    # The rules with cookie 0 (the forwarding rules, the default rule), then the added
    # ones group by group: one dump of every rule would not fit in a response.
    flows = rpc.call("flow.dump", {"bridge": args.bridge,
                                   "filter": "cookie=0/%#x" % ALL_BITS})["flows"]
    fwd = {}
    others_pkts = others_rules = default_pkts = 0
    n_rules = len(flows)
    for f in flows:
        m = f["match"]
        if f["priority"] == 65535 and m.startswith("in_port=") and "," not in m:
            fwd[m[len("in_port="):]] = f
        elif f["priority"] == 0 and m == "":
            default_pkts += f["n_packets"]
        else:
            others_rules += 1
            others_pkts += f["n_packets"]
    for g in range((args.first + args.rules + COOKIE_GROUP - 1) // COOKIE_GROUP):
        c = rule_cookie(g * COOKIE_GROUP, args.cookie)
        for f in rpc.call("flow.dump", {"bridge": args.bridge,
                                        "filter": "cookie=%#x/%#x" % (c, ALL_BITS)})["flows"]:
            n_rules += 1
            others_rules += 1
            others_pkts += f["n_packets"]
    out = {"directions": [], "rules": n_rules, "other_rules": others_rules,
           "other_rules_packets": others_pkts, "default_rule_packets": default_pkts}
    ok = others_pkts == 0 and default_pkts == 0
    for i, o in dirs:
        si, so = stats[i], stats[o]
        rxd = {r: si["drops"][r] for r in RX_REASONS}
        txd = {r: so["drops"][r] for r in TX_REASONS}
        unaccounted = si["rx_packets"] - so["tx_packets"] - sum(rxd.values()) - sum(txd.values())
        rule = fwd.get(i)
        classified = si["rx_packets"] - sum(rxd[r] for r in PRE_CLASSIFY)
        rule_pkts = rule["n_packets"] if rule else None
        rule_caused = sum(rxd[r] for r in RULE_CAUSED)
        d = {
            "in": i, "out": o, "rx_packets": si["rx_packets"], "tx_packets": so["tx_packets"],
            "rx_side_drops": rxd, "tx_side_drops": txd, "rx_missed": si["drops"].get("rx_missed"),
            "unaccounted": unaccounted, "forwarding_rule_packets": rule_pkts,
            "classified": classified, "rule_caused_drops": rule_caused,
            "receiver_caused_drops": sum(txd[r] for r in RECEIVER_CAUSED),
        }
        out["directions"].append(d)
        ok = ok and unaccounted == 0 and rule_caused == 0 and rule_pkts == classified
        nz = ", ".join("%s %d" % (k, v) for k, v in list(rxd.items()) + list(txd.items()) if v)
        print("%s -> %s: rx %d on %s, tx %d on %s, drops: %s; unaccounted %d; forwarding rule "
              "n_packets %s of %d classified; rule-caused drops %d; receiver-caused drops "
              "(tx_queue_full, tx_link_down) %d; rx_missed %s" %
              (i, o, si["rx_packets"], i, so["tx_packets"], o, nz or "none", unaccounted,
               rule_pkts, classified, rule_caused, d["receiver_caused_drops"],
               d["rx_missed"]))
    print("rules dumped %d: the %d others matched %d frames, the default rule %d" %
          (n_rules, others_rules, others_pkts, default_pkts))
    out["ok"] = ok
    print("accounting: %s" % ("every frame accounted for, none lost to the rule changes" if ok
                              else "FAILED"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=("add", "del", "rate", "account"))
    ap.add_argument("--socket", required=True, help="vswitchd's control socket")
    ap.add_argument("--bridge", default="br0")
    ap.add_argument("--directions", default="vm1:vm2,vm2:vm1",
                    help="forwarding rules IN:OUT, comma-separated; the first names the ports "
                         "the added rules use")
    ap.add_argument("--pid", type=int, help="vswitchd's pid (add: memory and CPU)")
    ap.add_argument("--rules", type=int, default=100000,
                    help="add: rules to add; account: rules added (their dumps are checked)")
    ap.add_argument("--bundle", type=int, default=10000)
    ap.add_argument("--first", type=int, default=0, help="index of the first rule")
    ap.add_argument("--cookie", type=lambda s: int(s, 0), default=0xf10,
                    help="the added rules' cookies are this << 20 | rule index / 10000")
    ap.add_argument("--rate-seconds", type=float, default=3.0,
                    help="add: traffic rate measured this long before and after")
    ap.add_argument("--seconds", type=float, default=3.0, help="rate: measured this long")
    ap.add_argument("--label", default="updates")
    ap.add_argument("--json", help="append the result as one JSON line to this file")
    args = ap.parse_args()
    if args.command == "add":
        if args.pid is None:
            ap.error("add needs --pid")
        if args.rules < 1 or args.bundle < 1 or args.first < 0:
            ap.error("--rules and --bundle must be at least 1, --first at least 0")
        if (args.first + args.rules - 1) // N_SHAPES >= 65536:
            ap.error("at most %d rules: the rule values are distinct below that" %
                     (65536 * N_SHAPES))
    try:
        res = {"add": cmd_add, "del": cmd_del, "rate": cmd_rate, "account": cmd_account}[
            args.command](args)
    except (OSError, RpcError) as e:
        print("bench_flow_updates.py %s: %s" % (args.command, e), file=sys.stderr)
        return 1
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps({args.command: res}) + "\n")
    return 0 if args.command != "account" or res["ok"] else 3


if __name__ == "__main__":
    sys.exit(main())
