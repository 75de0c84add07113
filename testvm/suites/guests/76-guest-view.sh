# Issue 11: a guest's own view of its machine.  With virt_mem, virt_load
# and virt_cpu (on by default) /proc/meminfo and sysinfo(2) show a guest
# its memory limit and its group's usage (its own, where the limit is a
# group's above it), /proc/loadavg and sysinfo its own load,
# /proc/pressure its group's stalls, /proc/cpuinfo and /proc/stat the
# CPUs of its cpuset, /proc/uptime its idle time, and no interrupts,
# softirqs or run-queue counts (/proc/interrupts, /proc/softirqs,
# /proc/schedstat, /proc/irq, /sys/kernel/irq), and busybox's free,
# uptime and nproc agree; the host's figures stay the
# machine's, and a guest whose cflags clear the flags sees the machine.
# The VM has 2 CPUs and no swap.  Contexts 771-773.
. /testvm/lib.sh

IF=/etc/vservers
CG=/sys/fs/cgroup/vserver

# kb FIELD: FIELD's value in kB in the meminfo on stdin.
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB\$/\1/p"; }
# guest_view NAME XID CFLAGS: builds NAME, limited to 64 MiB (16384 pages)
# and CPU 1, with free, uptime and nproc, sysfs on /sys, and CFLAGS as its
# cflags.
guest_view() {
	make_guest "$1" "$2" >/dev/null || return 1
	for applet in free uptime nproc; do ln -sf busybox "/vservers/$1/bin/$applet"; done
	mkdir -p "/vservers/$1/sys"
	echo 'sysfs /sys sysfs ro,nosuid,nodev,noexec 0 0' >>"$IF/$1/fstab"
	mkdir -p "$IF/$1/rlimits" "$IF/$1/cpuset"
	echo 16384 >"$IF/$1/rlimits/rss"
	echo 1 >"$IF/$1/cpuset/cpus"
	echo 0 >"$IF/$1/cpuset/mems"
	printf "$3" >"$IF/$1/cflags"
}
# check_memory_view NAME TOTAL_KB LIMIT: NAME's /proc/meminfo has
# TOTAL_KB (LIMIT, in words) as MemTotal, and that less what NAME's own
# group uses as MemFree (within 4 MiB); the meminfo is left in $meminfo,
# MemFree in $guest_free.
check_memory_view() {
	meminfo=$(vserver "$1" exec cat /proc/meminfo)
	local used_kb=$(($(cat "$CG/$1/memory.current") / 1024))
	check_eq "MemTotal in $1 is $3" "$2" "$(echo "$meminfo" | kb MemTotal)"
	guest_free=$(echo "$meminfo" | kb MemFree)
	echo "# $1: MemFree $guest_free kB; its own group uses $used_kb kB"
	check "MemFree in $1 is that limit less what its own group uses (within 4 MiB)" \
		test "$(($2 - guest_free - used_kb))" -lt 4096 -a "$(($2 - guest_free - used_kb))" -gt -4096
}
# load1 TEXT: the 1-minute load of a /proc/loadavg line, in hundredths.
load1() { echo "$1" | sed -n 's/^\([0-9]*\)\.\([0-9][0-9]\) .*/\1\2/p' | sed 's/^0*//;s/^$/0/'; }
# tasks_of TEXT: the task count (after the slash) of a /proc/loadavg line.
tasks_of() { echo "$1" | sed -n 's|^[^ ]* [^ ]* [^ ]* [0-9]*/\([0-9]*\) .*|\1|p'; }

host_total=$(kb MemTotal </proc/meminfo)
check "the VM has more than 4 times 64 MiB: $host_total kB" test "$host_total" -gt 262144
check_eq "and 2 CPUs" 2 "$(nproc)"

# --- memory: /proc/meminfo and sysinfo ------------------------------------
check "build v1" guest_view v1 771 ""
check "start v1" vserver v1 start
check_match "vattribute shows v1's default view flags" '^flags: .*virt_mem virt_load virt_cpu' \
	"$(vattribute --xid 771 --get)"
check_memory_view v1 65536 "its limit, 64 MiB"
check "its group uses something: MemFree is below MemTotal" test "$guest_free" -lt 65536
available=$(echo "$meminfo" | kb MemAvailable)
check "MemAvailable lies between MemFree and MemTotal" \
	test "$available" -ge "$guest_free" -a "$available" -le 65536
check "Cached is v1's page cache, below its limit" test "$(echo "$meminfo" | kb Cached)" -lt 65536
check_eq "SwapTotal stays the machine's: none" 0 "$(echo "$meminfo" | kb SwapTotal)"
check_eq "the host's MemTotal is unchanged" "$host_total" "$(kb MemTotal </proc/meminfo)"
# busybox free reads sysinfo(2) and, for the cache, /proc/meminfo (Cached
# and SReclaimable), in KiB: what it takes for used is what is left.
check_match "free in v1 (sysinfo) shows 64 MiB in all, and a used part below it" \
	'^Mem: +65536 +[0-9]{1,5} ' "$(vserver v1 exec free)"
slab=$(echo "$meminfo" | kb SReclaimable)
check "v1's reclaimable slab and cache fit in what it uses" \
	test "$(($(echo "$meminfo" | kb Cached) + slab))" -le "$((65536 - guest_free))"
check_match "free on the host shows the machine" "^Mem: +$host_total " "$(free)"
# The other lines count v1's own memory too, not the machine's: the host
# starts 64 sleeping tasks, with their kernel stacks and page tables,
# between two reads of v1's.
host_before=$(cat /proc/meminfo)
v1_before=$(vserver v1 exec cat /proc/meminfo)
sleepers=
for n in $(seq 64); do
	sleep 120 &
	sleepers="$sleepers $!"
done
host_after=$(cat /proc/meminfo)
v1_after=$(vserver v1 exec cat /proc/meminfo)
kill $sleepers
# grown FIELD BEFORE AFTER: how many kB FIELD grew from BEFORE to AFTER.
grown() { echo $(($(echo "$3" | kb "$1") - $(echo "$2" | kb "$1"))); }
for field in KernelStack PageTables; do
	host_grown=$(grown $field "$host_before" "$host_after")
	v1_grown=$(grown $field "$v1_before" "$v1_after")
	echo "# $field grew by $host_grown kB on the host, by $v1_grown kB in v1"
	check "the host's $field grew by 64 tasks' (at least 256 kB)" test "$host_grown" -ge 256
	check "v1's is its own: above 0, and it moved by under a quarter of that" \
		test "$(echo "$v1_after" | kb $field)" -gt 0 -a \
		"$v1_grown" -lt $((host_grown / 4)) -a "$v1_grown" -gt $((-host_grown / 4))
done
check_eq "no line of v1's but the address space's and page sizes' is above its 64 MiB" "" \
	"$(echo "$v1_after" | awk '/ kB$/ && $1 !~ /^(VmallocTotal|Hugepagesize|DirectMap|CmaTotal|HardwareCorrupted)/ && $2 > 65536 { print $1 }')"
check_eq "v1's CommitLimit is its memory (no swap)" 65536 "$(echo "$v1_after" | kb CommitLimit)"
check_eq "and its Committed_AS what it uses: MemTotal less MemFree" \
	"$((65536 - $(echo "$v1_after" | kb MemFree)))" "$(echo "$v1_after" | kb Committed_AS)"
check "the host's CommitLimit is the machine's, half its memory" \
	test "$(echo "$host_after" | kb CommitLimit)" -gt $((host_total / 3))

# --- CPUs: /proc/cpuinfo, /proc/stat, nproc -------------------------------
check_eq "nproc in v1 counts its cpuset: 1" 1 "$(vserver v1 exec nproc)"
check_eq "/proc/cpuinfo in v1 lists one CPU" 1 "$(vserver v1 exec grep -c '^processor' /proc/cpuinfo)"
check_match "CPU 1, under its own number" '^processor[[:space:]]*: 1$' \
	"$(vserver v1 exec grep '^processor' /proc/cpuinfo)"
check_eq "/proc/stat in v1 has one per-CPU line" 1 "$(vserver v1 exec grep -c '^cpu[0-9]' /proc/stat)"
check_match "cpu1's" '^cpu1 ' "$(vserver v1 exec grep '^cpu[0-9]' /proc/stat)"
check_eq "the host's /proc/cpuinfo lists both" 2 "$(grep -c '^processor' /proc/cpuinfo)"
check_eq "and its /proc/stat both" 2 "$(grep -c '^cpu[0-9]' /proc/stat)"
# glibc's sysconf(_SC_NPROCESSORS_ONLN) reads sysfs's online list (0110).
CPUS=/sys/devices/system/cpu
check_eq "$CPUS/online in v1 lists CPU 1" 1 "$(vserver v1 exec cat $CPUS/online)"
check_eq "and offline the other" 0 "$(vserver v1 exec cat $CPUS/offline)"
check_eq "possible stays the machine's" "$(cat $CPUS/possible)" "$(vserver v1 exec cat $CPUS/possible)"
check_eq "the host's online lists both" 0-1 "$(cat $CPUS/online)"
check_eq "and its offline none" "" "$(cat $CPUS/offline)"

# --- load: /proc/loadavg and sysinfo --------------------------------------
check "build v2, idle" guest_view v2 772 ""
check "start v2" vserver v2 start

# --- memory: a limit shared with other guests ------------------------------
# The host bounds every guest together (60 MiB on $CG, below each guest's
# 64): v2's total is that limit, but what it uses is its own, not v1's
# 12 MiB file as well (patch 0109).
check "v1 holds a 12 MiB file" vserver v1 exec busybox dd if=/dev/zero of=/tmp/fill bs=1M count=12
check "all guests together use under 40 MiB, so a 60 MiB limit reclaims nothing" \
	test "$(cat $CG/memory.current)" -lt $((40 * 1024 * 1024))
echo $((60 * 1024 * 1024)) >$CG/memory.max
check_memory_view v2 61440 "the limit it shares, 60 MiB"
check "Cached in v2 holds none of v1's file" test "$(echo "$meminfo" | kb Cached)" -lt 8192
echo max >$CG/memory.max
vserver v1 exec rm /tmp/fill
vserver v1 exec sh -c 'while :; do :; done' >/dev/null 2>&1 &
spin=$!
# Sampled every 5 s: one busy task takes the 1-minute load to 0.30 in 5
# samples (1 - 0.92^5).  v2's own start may have been caught running at
# a sample or two, which it has since been losing (0.92 a sample).
check "v1's load rises with its busy loop (0.30 within 90 s)" \
	wait_true '[ "$(load1 "$(vserver v1 exec cat /proc/loadavg)")" -ge 30 ]' 90
v1_load=$(vserver v1 exec cat /proc/loadavg)
v2_load=$(vserver v2 exec cat /proc/loadavg)
host_load=$(cat /proc/loadavg)
echo "# loadavg: v1 '$v1_load', v2 '$v2_load', host '$host_load'"
check "v2, idle, has a lower load of its own meanwhile" \
	test "$(load1 "$v2_load")" -lt "$(load1 "$v1_load")"
check "the host's load counts v1's loop too" test "$(load1 "$host_load")" -ge 30
check "v1's task count is its own few (below 10)" test "$(tasks_of "$v1_load")" -lt 10
check "the host's counts every task (above 20)" test "$(tasks_of "$host_load")" -gt 20
# busybox uptime reads sysinfo(2): "load average: 0.31, 0.08, 0.03".
uptime_load1() {
	echo "$1" | sed -n 's/.*load average: \([0-9]*\)\.\([0-9][0-9]\),.*/\1\2/p' |
		sed 's/^0*//;s/^$/0/'
}
# sysinfo's loads are rounded down where /proc/loadavg rounds to nearest,
# so 0.30 there may still be 0.29 here until the next sample raises it.
check "uptime in v1 (sysinfo) shows v1's load, 0.30 or more" \
	wait_true '[ "$(uptime_load1 "$(vserver v1 exec uptime)")" -ge 30 ]' 15
check "uptime in v2 shows v2's, below v1's" \
	test "$(uptime_load1 "$(vserver v2 exec uptime)")" -lt "$(load1 "$v1_load")"

# --- CPU time and counters: /proc/stat ------------------------------------
# stat_ticks STAT LINE: "BUSY ALL" ticks of LINE (cpu, cpu1) in the
# /proc/stat text STAT: user+nice+system+irq+softirq+steal, and all fields.
stat_ticks() { echo "$1" | awk -v l="$2" '$1 == l { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }'; }
# busy_share BEFORE AFTER LINE: the percentage of LINE's ticks between two
# /proc/stat texts that were busy.
busy_share() {
	set -- $(stat_ticks "$1" "$3") $(stat_ticks "$2" "$3")
	[ "$4" -gt "$2" ] && echo $((($3 - $1) * 100 / ($4 - $2)))
}
# counter STAT NAME: the value of the NAME line of a /proc/stat text.
counter() { echo "$1" | sed -n "s/^$2 \([0-9]*\).*/\1/p"; }
# Both guests run on CPU 1, where v1's loop keeps it busy.
v1_before=$(vserver v1 exec cat /proc/stat)
v2_before=$(vserver v2 exec cat /proc/stat)
host_before=$(cat /proc/stat)
sleep 3
v1_after=$(vserver v1 exec cat /proc/stat)
v2_after=$(vserver v2 exec cat /proc/stat)
host_after=$(cat /proc/stat)
v1_busy=$(busy_share "$v1_before" "$v1_after" cpu1)
v2_busy=$(busy_share "$v2_before" "$v2_after" cpu1)
host_busy=$(busy_share "$host_before" "$host_after" cpu1)
echo "# cpu1 busy over 3 s: v1 $v1_busy%, v2 $v2_busy%, host $host_busy%"
check "the host's cpu1 line counts v1's loop: over half busy" test "$host_busy" -ge 50
check "v1's own cpu1 line counts its loop: over 30% busy" test "$v1_busy" -ge 30
check "v2's cpu1 line counts only v2's own few commands: under a quarter busy" \
	test "$v2_busy" -lt 25
set -- $(stat_ticks "$v2_before" cpu1) $(stat_ticks "$v2_after" cpu1) \
	$(stat_ticks "$host_before" cpu1) $(stat_ticks "$host_after" cpu1)
echo "# cpu1 ticks passed: v2 $(($4 - $2)), host $(($8 - $6))"
check "v2's cpu1 time passes with the clock (between half and twice the host's)" \
	test "$((2 * ($4 - $2)))" -ge "$(($8 - $6))" -a "$(($4 - $2))" -le "$((2 * ($8 - $6)))"

# never_back LINES: whether no field of a line in LINES is below that of
# the line before it of the same name (vmstat subtracts the last figures).
never_back() {
	echo "$1" | awk '{ for (f = 2; f <= NF; f++) { k = $1 SUBSEP f; if (k in last && $f + 0 < last[k]) bad = 1; last[k] = $f + 0 } } END { exit bad }'
}
reads=$(vserver v1 exec sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do grep "^cpu" /proc/stat; done')
check "v1's cpu and cpu1 figures never go back over 10 reads while it runs" never_back "$reads"
check_eq "v2's cpu total is its one CPU's" "$(stat_ticks "$v2_after" cpu1)" \
	"$(stat_ticks "$v2_after" cpu)"
check_match "v2 is shown no interrupts" '^intr 0$' "$(echo "$v2_after" | grep '^intr')"
check "the host's interrupts count" test "$(counter "$host_after" intr)" -gt 0
# Interrupts, softirqs and run queues: v2 is shown its CPU with no counts.
# count_sum TEXT: the sum of the numbers after the first field of every
# line of TEXT but the first (a header of CPU names).
count_sum() { echo "$1" | awk 'NR > 1 { for (f = 2; f <= NF; f++) s += $f } END { print s + 0 }'; }
v2_interrupts=$(vserver v2 exec cat /proc/interrupts)
check_match "v2's /proc/interrupts is a header of its CPU alone" '^ +CPU1 *$' "$v2_interrupts"
check_eq "with no rows" 1 "$(echo "$v2_interrupts" | wc -l)"
check "the host's lists its timer's and devices' interrupts on both CPUs" \
	test "$(grep -c 'CPU0 *CPU1' /proc/interrupts)" -eq 1 -a "$(wc -l </proc/interrupts)" -gt 5
v2_softirqs=$(vserver v2 exec cat /proc/softirqs)
check_match "v2's /proc/softirqs heads its CPU alone" '^ +CPU1 *$' "$(echo "$v2_softirqs" | head -n 1)"
check_eq "with a line for each softirq" "$(wc -l </proc/softirqs)" "$(echo "$v2_softirqs" | wc -l)"
check_eq "all of them 0" 0 "$(count_sum "$v2_softirqs")"
check "the host's count (TIMER at least)" test "$(count_sum "$(cat /proc/softirqs)")" -gt 0
v2_schedstat=$(vserver v2 exec cat /proc/schedstat)
check_eq "v2's /proc/schedstat has a line of zeros for its CPU, and no domains" \
	"cpu1 0 0 0 0 0 0 0 0 0" "$(echo "$v2_schedstat" | sed -n '/^version/d;/^timestamp/d;p')"
check_match "after the header readers expect" '^version [0-9]+$' "$v2_schedstat"
check "the host's counts each CPU's run time, and shows its domains" \
	sh -c "awk '/^cpu0 / && \$8 > 0 { c = 1 } /^domain0 / { d = 1 } END { exit !(c && d) }' /proc/schedstat"
# hundredths SECONDS: a /proc/uptime figure (12.34) in hundredths: ticks.
hundredths() { echo "$1" | sed 's/\.//;s/^0*//;s/^$/0/'; }
# One cat reads /proc/uptime, /proc/stat and /proc/uptime again.
v2_reads=$(vserver v2 exec cat /proc/uptime /proc/stat /proc/uptime)
set -- $(echo "$v2_reads" | sed -n '1p;$p') $(stat_ticks "$v2_reads" cpu)
v2_stat_idle=$(($6 - $5))
echo "# v2: /proc/uptime $1 $2, then /proc/stat's cpu idle $v2_stat_idle ticks, then $3 $4"
check "v2's /proc/stat idle lies between its /proc/uptime idles read before and after" \
	test "$(hundredths "$2")" -le "$v2_stat_idle" -a "$v2_stat_idle" -le "$(hundredths "$4")"
check "and no more than its uptime on its one CPU" test "$(hundredths "$4")" -le "$(hundredths "$3")"
irq=$(ls /sys/kernel/irq | head -n 1)
# A handler's directory in /proc/irq/N/ is named as the handler is.
handler=$(find /proc/irq -mindepth 2 -maxdepth 2 -type d | head -n 1)
check "the host reads /sys/kernel/irq/$irq/per_cpu_count" cat "/sys/kernel/irq/$irq/per_cpu_count"
check "and lists /proc/irq/$irq" ls "/proc/irq/$irq"
check "and finds a handler's directory ($handler)" test -d "$handler"
check_match "v2 does not read the first (EACCES)" "Permission denied" \
	"$(vserver v2 exec cat "/sys/kernel/irq/$irq/per_cpu_count" 2>&1)"
check_eq "and lists an empty /proc/irq" "" "$(vserver v2 exec ls -A /proc/irq 2>&1)"
check_match "nor finds /proc/irq/$irq" "No such file" "$(vserver v2 exec ls "/proc/irq/$irq" 2>&1)"
check_match "nor the handler's directory" "No such file" "$(vserver v2 exec stat "$handler" 2>&1)"
check "v1's sampled running tasks hold its loop" test "$(counter "$v1_after" procs_running)" -ge 1
check "v2's are its own: at most the one reading" test "$(counter "$v2_after" procs_running)" -le 1
# Forks: the host forks while v2 sleeps between two reads.
host_forks=$(counter "$(cat /proc/stat)" processes)
rm -f /tmp/forks-done
(while [ ! -e /tmp/forks-done ]; do sh -c :; done) &
burst=$!
v2_forks=$(vserver v2 exec sh -c 'grep ^processes /proc/stat; sleep 2; grep ^processes /proc/stat' |
	sed 's/^processes //' | tr '\n' ' ')
touch /tmp/forks-done
wait "$burst"
host_forks=$(($(counter "$(cat /proc/stat)" processes) - host_forks))
set -- $v2_forks
echo "# forks meanwhile: v2 counted $(($2 - $1)), the host $host_forks"
check "the host counted its own burst of forks (10 or more)" test "$host_forks" -ge 10
check "v2 counted its own forks only (1 to 5)" test "$(($2 - $1))" -ge 1 -a "$(($2 - $1))" -le 5
# Context switches are counted with the load, every 5 s, reaped tasks' too.
v2_switches=$(counter "$(vserver v2 exec cat /proc/stat)" ctxt)
host_switches=$(counter "$(cat /proc/stat)" ctxt)
vserver v2 exec sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do busybox usleep 100000; done'
check "v2's count its 10 sleeps (ended since) at a sample within 20 s" \
	wait_true '[ $(($(counter "$(vserver v2 exec cat /proc/stat)" ctxt) - v2_switches)) -ge 10 ]' 20
v2_switches=$(($(counter "$(vserver v2 exec cat /proc/stat)" ctxt) - v2_switches))
host_switches=$(($(counter "$(cat /proc/stat)" ctxt) - host_switches))
echo "# context switches meanwhile: v2 $v2_switches, the host $host_switches"
check "the host's count many more (over 4 times v2's)" test "$host_switches" -gt "$((4 * v2_switches))"
# Pressure: a second loop in v1 makes its two wait for CPU 1 in turn.
# some_total PRESSURE: the "some" line's total (microseconds stalled).
some_total() { echo "$1" | sed -n 's/^some .*total=\([0-9]*\)$/\1/p'; }
vserver v1 exec sh -c 'while :; do :; done' >/dev/null 2>&1 &
spin2=$!
# loops_in_v1: how many of v1's tasks run the loop ("whil[e]" is not
# the reader's own command line).
loops_in_v1() { vserver v1 exec sh -c 'grep -l "whil[e] :" /proc/[0-9]*/cmdline' | wc -l; }
check "v1's second loop is running" wait_true '[ "$(loops_in_v1)" -ge 2 ]' 20
v1_before=$(vserver v1 exec cat /proc/pressure/cpu)
v2_before=$(vserver v2 exec cat /proc/pressure/cpu)
host_before=$(cat /proc/pressure/cpu)
sleep 3
v1_after=$(vserver v1 exec cat /proc/pressure/cpu)
v2_after=$(vserver v2 exec cat /proc/pressure/cpu)
host_after=$(cat /proc/pressure/cpu)
v1_stall=$(($(some_total "$v1_after") - $(some_total "$v1_before")))
v2_stall=$(($(some_total "$v2_after") - $(some_total "$v2_before")))
host_stall=$(($(some_total "$host_after") - $(some_total "$host_before")))
echo "# CPU stalls over 3 s (us): v1 $v1_stall, v2 $v2_stall, host $host_stall"
check "the host's /proc/pressure/cpu counts v1's loops waiting (over 1 s)" \
	test "$host_stall" -gt 1000000
check "v1's own counts them too (over 1 s)" test "$v1_stall" -gt 1000000
check "v2's counts only its own readers' waits (under a quarter of the host's)" \
	test "$((4 * v2_stall))" -lt "$host_stall"
group_before=$(some_total "$(cat $CG/v2/cpu.pressure)")
v2_total=$(some_total "$(vserver v2 exec cat /proc/pressure/cpu)")
group_after=$(some_total "$(cat $CG/v2/cpu.pressure)")
check "v2's total is its group's cpu.pressure, read between two reads of it" \
	test "$group_before" -le "$v2_total" -a "$v2_total" -le "$group_after"
check "the host sets a trigger on /proc/pressure/cpu" \
	sh -c 'echo "some 500000 2000000" >/proc/pressure/cpu'
check_match "v2 may not (EACCES)" "Permission denied" \
	"$(vserver v2 exec sh -c 'echo "some 500000 2000000" >/proc/pressure/cpu' 2>&1)"
kill "$spin" "$spin2"
check "stop v2" vserver v2 stop
check_clean "v2 left nothing behind" v2 772

# --- the machine's view: cflags ~virt_* ------------------------------------
check "build v3 without the views" guest_view v3 773 '~virt_mem\n~virt_load\n!virt_cpu\n'
check "start v3" vserver v3 start
check_eq "with ~virt_mem, v3 sees the machine's MemTotal despite its limit" "$host_total" \
	"$(vserver v3 exec cat /proc/meminfo | kb MemTotal)"
check_match "and free the machine's" "^Mem: +$host_total " "$(vserver v3 exec free)"
check_eq "with !virt_cpu, v3's /proc/cpuinfo lists both CPUs" 2 \
	"$(vserver v3 exec grep -c '^processor' /proc/cpuinfo)"
check_eq "while its cpuset still holds it to one" 1 "$(vserver v3 exec nproc)"
check_eq "and $CPUS/online lists both" 0-1 "$(vserver v3 exec cat $CPUS/online)"
check "with !virt_cpu, v3's /proc/interrupts has rows" \
	test "$(vserver v3 exec cat /proc/interrupts | wc -l)" -gt 5
check "and it lists /proc/irq/$irq" vserver v3 exec ls "/proc/irq/$irq"
check "and finds the handler's directory" vserver v3 exec test -d "$handler"
check "with ~virt_load, v3's loadavg counts every task" \
	test "$(tasks_of "$(vserver v3 exec cat /proc/loadavg)")" -gt 20
check "the host turns virt_mem on for the running v3 (vattribute)" \
	vattribute --xid 773 --set --flag virt_mem
check_eq "which then sees its limit" 65536 "$(vserver v3 exec cat /proc/meminfo | kb MemTotal)"
check "and off again" vattribute --xid 773 --set --flag '~virt_mem'
check_eq "the machine's again" "$host_total" "$(vserver v3 exec cat /proc/meminfo | kb MemTotal)"
# A directory below /proc/irq that v3 holds open (its working directory,
# the handler's /proc/irq/N) shows it nothing once the host turns
# virt_cpu on.
# The files are in its root directory, which the host sees (its /tmp is
# a tmpfs of its own).
rm -f /vservers/v3/irq-*
vserver v3 exec sh -c "cd $(dirname "$handler") || exit
	ls -A >/irq-before; touch /irq-held
	n=0; while [ ! -e /irq-go ] && [ \$n -lt 300 ]; do sleep 0.1; n=\$((n + 1)); done
	ls -A >/irq-after 2>&1; stat '$(basename "$handler")' >/irq-stat 2>&1; touch /irq-done" \
	>/dev/null 2>&1 &
holder=$!
wait_exists /vservers/v3/irq-held 30
check "v3 lists the directory it holds, the handler's among its entries (control)" \
	grep -qx "$(basename "$handler")" /vservers/v3/irq-before
check "the host turns virt_cpu on for the running v3" vattribute --xid 773 --set --flag virt_cpu
touch /vservers/v3/irq-go
wait $holder
check "v3's holder ran to its end" test -e /vservers/v3/irq-done
check_eq "v3 then lists nothing in it" "" "$(cat /vservers/v3/irq-after)"
check_match "nor finds the handler's directory there" "No such file" "$(cat /vservers/v3/irq-stat)"
check "and off again" vattribute --xid 773 --set --flag '~virt_cpu'
check "stop v3" vserver v3 stop
check_clean "v3 left nothing behind" v3 773

# --- virt_cpu without a cpu cgroup of its own: the machine's times, no
# interrupts.  A context made from the host's own group (vcontext).
setsid vcontext --create --xid 774 -- sleep 1004 &
plain=$!
check "a context made from the host's group is up" wait_exists /proc/virtual/774/info
check "it shows the machine's interrupts, per interrupt, without virt_cpu" \
	test "$(vcontext --migrate --xid 774 -- cat /proc/stat | grep '^intr' | wc -w)" -gt 2
check "the host turns virt_cpu on for it" vattribute --xid 774 --set --flag virt_cpu
plain_stat=$(vcontext --migrate --xid 774 -- cat /proc/stat)
check_match "then its /proc/stat has CPU lines (the machine's times)" '^cpu0 ' "$plain_stat"
check_eq "but no interrupts" "intr 0" "$(echo "$plain_stat" | grep '^intr')"
# softirq_fields TEXT: the field count of a /proc/stat text's softirq line,
# and the sum of its counts.
softirq_fields() { echo "$1" | awk '/^softirq/ { for (f = 2; f <= NF; f++) s += $f; print NF, s + 0 }'; }
check_eq "and no softirqs (its line's 12 fields all 0)" "12 0" "$(softirq_fields "$plain_stat")"
kill "$plain"
wait "$plain" 2>/dev/null
check "context 774 ends with its task" wait_true '[ ! -e /proc/virtual/774 ]' 10
check "stop v1" vserver v1 stop
check_clean "v1 left nothing behind" v1 771

t_done
