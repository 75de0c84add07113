# shellcheck shell=bash
# Sourced by testvm/run and testvm/check-host: the kernel reports that fail
# a VM run wherever they appear in its console log.

# Kernel reports (an extended regular expression).
splats='WARNING:|BUG:|Oops|general protection fault|Kernel panic|kernel BUG at|'
splats+='UBSAN:|list_(add|del) corruption|INFO: task .* blocked for more than|'
splats+='rcu: INFO:|detected stall|possible recursive locking|circular locking|'
splats+='inconsistent lock state|suspicious RCU usage|Call Trace:|'
# The other headers of an x86 die(), which print neither BUG: nor Oops.
splats+='divide error:|invalid opcode:|stack segment:|double fault|int3:|alignment check:'

# The console without the reports of OOM kills inside a memory cgroup:
# guests/75-limits has one on purpose, and the kernel dumps the stack of
# every OOM kill.  A report is left out only once its "Memory cgroup out
# of memory" line shows it was a group's; a host-wide OOM keeps its stack.
without_memcg_oom() {
	tr -d '\r' <"$1" | awk '
		/invoked oom-killer:/ { n = 0; held = 1 }
		held { buf[++n] = $0
		       if (/Memory cgroup out of memory:/) { held = 0; n = 0 }
		       else if (/Out of memory:/ || n >= 400) { for (i = 1; i <= n; i++) print buf[i]; held = 0; n = 0 }
		       next }
		{ print }
		END { for (i = 1; i <= n; i++) print buf[i] }'
}

# kernel_reports CONSOLE: each kind of report line in a console log once,
# with its count, the most frequent first (at most 20); nothing, and
# success, when clean (callers run under set -e and pipefail).
kernel_reports() {
	{ without_memcg_oom "$1" | grep -aE "$splats" || true; } | sort | uniq -c | sort -rn | head -n 20
}

# first_kernel_report CONSOLE: the console around the first report.
first_kernel_report() { without_memcg_oom "$1" | grep -aE -B 30 -A 60 -m 1 "$splats"; }
