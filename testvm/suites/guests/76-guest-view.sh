# Issue 11: a guest's own view of its machine.  With virt_mem, virt_load
# and virt_cpu (on by default) /proc/meminfo and sysinfo(2) show a guest
# its memory limit and its group's usage (its own, where the limit is a
# group's above it), /proc/loadavg and sysinfo its
# own load, /proc/cpuinfo and /proc/stat the CPUs of its cpuset, and
# busybox's free, uptime and nproc agree; the host's figures stay the
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
kill "$spin"
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
check "with ~virt_load, v3's loadavg counts every task" \
	test "$(tasks_of "$(vserver v3 exec cat /proc/loadavg)")" -gt 20
check "the host turns virt_mem on for the running v3 (vattribute)" \
	vattribute --xid 773 --set --flag virt_mem
check_eq "which then sees its limit" 65536 "$(vserver v3 exec cat /proc/meminfo | kb MemTotal)"
check "and off again" vattribute --xid 773 --set --flag '~virt_mem'
check_eq "the machine's again" "$host_total" "$(vserver v3 exec cat /proc/meminfo | kb MemTotal)"
check "stop v3" vserver v3 stop
check_clean "v3 left nothing behind" v3 773
check "stop v1" vserver v1 stop
check_clean "v1 left nothing behind" v1 771

t_done
