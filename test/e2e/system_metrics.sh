#!/bin/bash
# Fleet metrics after a real kill: hog.service in a monitored work.slice is
# killed as in system-hog-kill; then `unitoomctl metrics` (OpenMetrics) and
# `--prometheus` (the text format node_exporter reads) are parsed with
# python3-prometheus-client's own parsers, and the counts must say what
# happened: one kill of hog by work.slice's ruleset through KillUnit, one
# time from signal to death, samples taken, the slice's pressure, the daemon's own
# RSS and CPU. The same text comes over D-Bus (GetMetrics), and the optional
# timer's service writes it for node_exporter's textfile collector.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
# Debian's python3 (python3-prometheus-client), whatever else is first in PATH
PY=/usr/bin/python3
$PY -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
  sc_skip "needs python3-prometheus-client (tools/lib/setup.sh installs it)"
system_scenario_start system-metrics "$@"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
hog_killed hog.service work.slice 3

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; sc_cleanup' EXIT
sc_in unitoomctl metrics > "$OUT/om.txt" || fail "unitoomctl metrics failed"
sc_in unitoomctl metrics --prometheus > "$OUT/prom.txt" || fail "unitoomctl metrics --prometheus failed"
sc_in busctl call --json=short org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager GetMetrics s openmetrics |
  python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["data"][0])' > "$OUT/bus.txt" ||
  fail "GetMetrics over D-Bus failed"

$PY - "$OUT" <<'PY' || { cat "$OUT/om.txt"; fail "the metrics do not say what happened"; }
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_prom

def samples(families):
    out = {}
    for f in families:
        for s in f.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out

def check(s, where):
    def one(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        assert key in s, "%s: no %s%s" % (where, name, labels)
        return s[key]
    kills = {k: v for k, v in s.items() if k[0] == "unitoomd_kills_total"}
    want = ("unitoomd_kills_total", (("method", "KillUnit"), ("outcome", "killed"), ("ruleset", "work.slice/ManagedOOMMemoryPressure")))
    assert kills == {want: 1}, "%s: kills %s" % (where, kills)
    assert one("unitoomd_kill_time_to_death_seconds_count") == 1, where
    assert 0 < one("unitoomd_kill_time_to_death_seconds_sum") < 30, where
    assert one("unitoomd_kernel_oom_kills_total") == 0, where
    assert one("unitoomd_rulesets") >= 1, where
    assert one("unitoomd_units_followed") >= 1, where
    assert one("unitoomd_samples_total") > 0, where
    assert one("unitoomd_sample_duration_seconds_count") == one("unitoomd_samples_total") or \
        one("unitoomd_sample_duration_seconds_count") > 0, where
    assert one("unitoomd_memory_stall_seconds_total", cgroup="/work.slice", kind="full") > 0, where
    one("unitoomd_memory_pressure_avg10_ratio", cgroup="/work.slice", kind="some")
    one("unitoomd_psi_triggers_armed")
    assert one("process_resident_memory_bytes") > 1e6, where
    assert one("process_cpu_seconds_total") > 0, where
    return s

d = sys.argv[1]
om = check(samples(parse_om(open(d + "/om.txt").read())), "unitoomctl metrics")
check(samples(parse_prom(open(d + "/prom.txt").read())), "unitoomctl metrics --prometheus")
check(samples(parse_om(open(d + "/bus.txt").read())), "GetMetrics over D-Bus")
print("metrics: kills %d, time to death %.3f s, samples %d, RSS %.1f MiB, CPU %.2f s" % (
    om[("unitoomd_kills_total", (("method", "KillUnit"), ("outcome", "killed"), ("ruleset", "work.slice/ManagedOOMMemoryPressure")))],
    om[("unitoomd_kill_time_to_death_seconds_sum", ())], om[("unitoomd_samples_total", ())],
    om[("process_resident_memory_bytes", ())] / 2**20, om[("process_cpu_seconds_total", ())]))
PY

# The optional timer, as an administrator with node_exporter turns it on.
PROM=/var/lib/prometheus/node-exporter/unitoomd.prom
sc_in mkdir -p /var/lib/prometheus/node-exporter
sc_in systemctl start unitoomd-metrics.timer || fail "cannot start unitoomd-metrics.timer"
wait_until 10 sc_in test -s $PROM || { sc_in systemctl status --no-pager unitoomd-metrics.service; fail "no $PROM"; }
sc_in cat $PROM | $PY -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
names = {s.name for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples}
assert "unitoomd_kills_total" in names, names' || fail "$PROM does not parse as the text format"
[ "$(sc_in stat -c %a $PROM)" = 644 ] || fail "$PROM is not world-readable"
echo PASS
