# Issue 11: a guest's limits are its cgroup's, written before its first
# process, and the module's counted ones (nofile, nsock, nsems, locks),
# given with its context; its boot clock starts with it (virt_uptime).
# rlimits/nproc stops a fork bomb while the host goes on; rlimits/rss has
# a memory hog OOM-killed inside its group; sched/, cpuset/ and nice give
# the values asked for, and cpu.max throttles; cgroup/io.max throttles a
# guest's writes to the loop device its root is on; ulimits/ gives the
# guest's init and what vserver exec runs the same per-process limits; a
# value the kernel or the mapping refuses fails the start with one line
# and leaves nothing; rlimits/swap bounds what a guest swaps out to a RAM
# disk, and 0 lets it swap nothing.
# Contexts 751-770.
. /testvm/lib.sh

IF=/etc/vservers
CG=/sys/fs/cgroup/vserver

# event GROUP FILE KEY: the count KEY has in GROUP's FILE (pids.events,
# memory.events, cpu.stat), 0 when the group is gone.
event() { sed -n "s/^$3 //p" "$CG/$1/$2" 2>/dev/null || echo 0; }

# check_one_line WHAT PATTERN TEXT: TEXT is one line and matches PATTERN.
check_one_line() {
	if [ "$(echo "$3" | wc -l)" -eq 1 ] && echo "$3" | grep -qE -- "$2"; then t_pass "$1"
	else t_fail "$1" "'$3' is not one line matching /$2/"; fi
}

# tasks XID: what the module counts for context XID.
tasks() { sed -n 's/^Tasks:[[:space:]]*//p' "/proc/virtual/$1/info"; }

# --- tasks: rlimits/nproc -> pids.max, a fork bomb ------------------------
check "build l1" make_guest l1 751
mkdir -p "$IF/l1/rlimits" "$IF/l1/scripts"
echo 20 >"$IF/l1/rlimits/nproc"
echo 100 >"$IF/l1/rlimits/nofile"
echo 16 >"$IF/l1/rlimits/nsock"
echo 64 >"$IF/l1/rlimits/nsems"
echo 50 >"$IF/l1/rlimits/locks"
echo 64 >"$IF/l1/rlimits/memlock"
# pre-start runs in the guest's first process, already in its group.
printf '#!/bin/sh\ncat %s/$2/pids.max >/tmp/l1-pre-start.pids\n' "$CG" >"$IF/l1/scripts/pre-start"
chmod 755 "$IF/l1/scripts/pre-start"
out=$(vserver l1 start 2>&1)
check_eq "start l1" 0 "$?"
check_eq "the only warning left names the rlimit that stays unapplied" \
	"vserver: l1: warning: $IF/l1/rlimits: 1 limit (memlock) not applied yet; none is set; per-process limits (memlock) are set in ulimits/" \
	"$(echo "$out" | grep warning)"
# limit_row XID NAME: current, held, soft/hard and hits of NAME in
# /proc/virtual/XID/limit, one space between each.
limit_row() { sed -n "s/^$2:[[:space:]]*//p" "/proc/virtual/$1/limit" | tr -s ' \t/' ' '; }
check_match "rlimits/nofile is l1's counted file limit" '^[0-9]+ [0-9]+ -1 100 0$' \
	"$(limit_row 751 FILES)"
check_match "rlimits/nsock its socket limit" '^[0-9]+ [0-9]+ -1 16 0$' "$(limit_row 751 SOCK)"
check_match "rlimits/nsems its semaphore limit" '^[0-9]+ [0-9]+ -1 64 0$' "$(limit_row 751 SEMS)"
check_match "rlimits/locks its file lock limit" '^[0-9]+ [0-9]+ -1 50 0$' "$(limit_row 751 LOCKS)"
check_match "its tasks are the PROC line, against pids.max, none refused yet" \
	'^[1-9][0-9]* [1-9][0-9]* -1 20 0$' "$(limit_row 751 PROC)"
check_match "its memory the RSS line, in pages, with no limit" '^[1-9][0-9]* [1-9][0-9]* -1 -1 0$' \
	"$(limit_row 751 RSS)"
check_match "its CPU time the CPU line, in microseconds, without a quota" '^[0-9]+ [0-9]+ -1 -1 0$' \
	"$(limit_row 751 CPU)"
status=$(vserver l1 status)
check_match "status shows l1's open files against nofile" \
	'^Open files: +[1-9][0-9]* of 100, most [1-9][0-9]*, 0 refused$' "$status"
check_match "and its sockets against nsock" '^Sockets: +[0-9]+ of 16, most [0-9]+, 0 refused$' "$status"
check "and no line for the semaphore sets it neither has nor is limited on" \
	sh -c '! echo "$1" | grep -q "^Semaphore sets:"' - "$status"
check_match "but one for the semaphores it is limited on" \
	'^Semaphores: +[0-9]+ of 64, most [0-9]+, 0 refused$' "$status"
check_match "and one for its file locks against locks" \
	'^File locks: +[0-9]+ of 50, most [0-9]+, 0 refused$' "$status"
check_match "vserver-stat --json has l1's counted limits" \
	'"name": "l1".*"limits": \{"nofile": \{"current": [1-9][0-9]*, "held": [1-9][0-9]*, "hard": 100, "hits": 0\}, "nsock": \{[^}]*"hard": 16' \
	"$(vserver-stat --json)"
check_match "and its semaphore limit under nsems" \
	'"name": "l1".*"nsems": \{[^}]*"hard": 64, "hits": 0\}' "$(vserver-stat --json)"
check_match "and its file lock limit under locks" \
	'"name": "l1".*"locks": \{[^}]*"hard": 50, "hits": 0\}' "$(vserver-stat --json)"
# virt_uptime (on by default): l1's boot clock started with it.
up() { cut -d. -f1 /proc/uptime; }
btime() { sed -n 's/^btime //p' /proc/stat; }
guest_up=$(vserver l1 exec cat /proc/uptime | cut -d. -f1)
check "uptime in l1 counts from its start: $guest_up s, the host's $(up) s" \
	test "$guest_up" -lt "$(( $(up) - 10 ))"
check "and its /proc/stat btime is later than the host's" \
	test "$(vserver l1 exec cat /proc/stat | sed -n 's/^btime //p')" -gt "$(( $(btime) + 10 ))"

# At its limit, l1 opens nothing more: not even the program an exec runs.
check "vlimit puts l1's file limit at what it holds" \
	vlimit -c 751 --nofile "$(limit_row 751 FILES | cut -d' ' -f1)"
check_match "a command in l1 then cannot be run: Too many open files" \
	"Too many open files" "$(vserver l1 exec /bin/echo 2>&1)"
check "which counts as a hit" test "$(limit_row 751 FILES | cut -d' ' -f5)" -ge 1
check "with the limit lifted (inf) it runs" sh -c 'vlimit -c 751 --nofile inf && vserver l1 exec /bin/echo'
check_eq "the guest's first process already finds pids.max set" 20 "$(cat /tmp/l1-pre-start.pids)"
check_eq "pids.max is rlimits/nproc" 20 "$(cat $CG/l1/pids.max)"
check_eq "the groups l1 may make below its own: 1000, 16 deep" "1000 16" \
	"$(cat $CG/l1/cgroup.max.descendants) $(cat $CG/l1/cgroup.max.depth)"
hits=$(event l1 pids.events max)
check_eq "no fork was refused yet" 0 "$hits"
# A shell that cannot fork exits, so a bomb can die out all at once when
# the group is full: the host starts it again until told to stop.
: >/tmp/l1-bomb.run
(while [ -e /tmp/l1-bomb.run ]; do
	vserver l1 exec sh -c 'b() { b & b; }; b' >/dev/null 2>&1
done) &
bomb=$!
check "a fork bomb in l1 is refused forks: pids.events max moves" \
	wait_true '[ "$(event l1 pids.events max)" -gt 0 ]' 60
# The module counts a task from its allocation, before the pids
# controller refuses the fork, so its count may pass the limit for a
# moment; the cgroup's is the one enforced.  vserver exec makes the
# bomb's first process in the group (clone3 into it), so pids.max bounds
# that one too.
peak=0 module_peak=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	n=$(cat $CG/l1/pids.current); [ "${n:-0}" -gt "$peak" ] && peak=$n
	n=$(tasks 751); [ "${n:-0}" -gt "$module_peak" ] && module_peak=$n
	sleep 0.2
done
echo "# l1's most tasks seen during the bomb: $peak in the cgroup, $module_peak counted by the module"
check "while it runs, the cgroup never holds more than its 20" \
	test "$peak" -le 20
check "and the bomb does fill it (at least 15 seen)" test "$peak" -ge 15
check_match "/proc/virtual/751/limit counts the refused forks as PROC hits" \
	'^[0-9]+ [0-9]+ -1 20 [1-9][0-9]*$' "$(limit_row 751 PROC)"
proc_held=$(limit_row 751 PROC | cut -d' ' -f2)
check "and PROC's most held ($proc_held) is at least the most seen in the group ($peak)" \
	test "$proc_held" -ge "$peak"
check_match "status shows l1's tasks against nproc and the refused forks" \
	"^Tasks \(cgroup\): +[0-9]+ of 20, [1-9][0-9]* forks? refused$" "$(vserver l1 status)"
check "a host command forking 50 times finishes meanwhile (within 60 s)" \
	timeout 60 sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done'
check "stop l1 during the bomb" timeout 120 vserver l1 stop
rm -f /tmp/l1-bomb.run
wait "$bomb"
check_clean "l1 left nothing behind" l1 751

# --- memory: rlimits/rss (pages) -> memory.max, a memory hog --------------
check "build l2" make_guest l2 752
mkdir -p "$IF/l2/rlimits"
echo 8192 >"$IF/l2/rlimits/rss"
echo '~virt_uptime' >"$IF/l2/cflags"
check "start l2" vserver l2 start
check "with ~virt_uptime, l2 sees the host's uptime" \
	test "$(vserver l2 exec cat /proc/uptime | cut -d. -f1)" -ge "$(( $(up) - 2 ))"
check_eq "memory.max is rlimits/rss in bytes (8192 pages of 4 KiB)" 33554432 \
	"$(cat $CG/l2/memory.max)"
check_eq "rss's soft value equals its hard one: no memory.high" max "$(cat $CG/l2/memory.high)"
check_eq "no OOM kill yet" 0 "$(event l2 memory.events oom_kill)"
check_match "l2's RSS line: its memory against memory.max, 8192 pages, no hit" \
	'^[1-9][0-9]* [1-9][0-9]* -1 8192 0$' "$(limit_row 752 RSS)"
# Doubles a shell string until it outgrows 32 MiB.  Nothing to swap to in
# the VM, so the group's OOM killer must take it.
vserver l2 exec sh -c 'x=a; while :; do x=$x$x; done' >/dev/null 2>&1
check_eq "the hog in l2 was killed by SIGKILL" 137 "$?"
check "memory.events oom_kill moved" test "$(event l2 memory.events oom_kill)" -ge 1
check "the group never went past memory.max" \
	test "$(cat $CG/l2/memory.peak)" -le 33554432
check_match "RSS counts the times the hog reached memory.max as hits" \
	'^[0-9]+ [0-9]+ -1 8192 [1-9][0-9]*$' "$(limit_row 752 RSS)"
check "and its most held stays within 8192 pages" \
	test "$(limit_row 752 RSS | cut -d' ' -f2)" -le 8192
check_match "status shows l2's memory against its limit and the OOM kill" \
	"^Memory \(cgroup\): +.* of 32M, [1-9][0-9]* OOM kills?$" "$(vserver l2 status)"
check_match "vserver-stat --json has l2's memory limit and OOM kills" \
	'"name": "l2".*"cgroup_memory_max_bytes": 33554432, "cgroup_oom_kills": [1-9]' \
	"$(vserver-stat --json)"
check "l2 itself still runs" vserver l2 running
check_eq "l2 still answers" l2 "$(vserver l2 exec hostname)"
check_eq "the host was not touched: its own commands run" ok "$(sh -c 'x=$(echo ok); echo $x')"
# vlimit: the running guest's limits, read and changed.
check_match "vlimit -a shows l2's memory in pages against 8192, with its OOM kills" \
	'^rss +[0-9]+ +inf +8192 +[1-9]' "$(vlimit -c 752 -a)"
check "vlimit sets nproc" vlimit -c 752 --nproc 30
check_eq "which is pids.max" 30 "$(cat $CG/l2/pids.max)"
check "vlimit -S sets a soft rss" vlimit -c 752 -S --rss 4K
check_eq "which is memory.high (4096 pages)" 16777216 "$(cat $CG/l2/memory.high)"
check_match "and shows it" '^rss +[0-9]+ +4096 +8192 ' "$(vlimit -c 752)"
check_match "as does the RSS line's soft limit" '^[0-9]+ [0-9]+ 4096 8192 ' "$(limit_row 752 RSS)"
check_one_line "vlimit refuses a limit nothing enforces" \
	'^vlimit: --memlock: not enforced yet' "$(vlimit -c 752 --memlock 10 2>&1)"
check "vlimit sets a counted limit: nofile" vlimit -c 752 --nofile 64
check_match "which the kernel counts against" '^[0-9]+ [0-9]+ -1 64 ' \
	"$(sed -n 's/^FILES:[[:space:]]*//p' /proc/virtual/752/limit | tr -s ' \t/' ' ')"
check_match "and vlimit shows" '^nofile +[0-9]+ +- +64 +0$' "$(vlimit -c 752)"
check_one_line "a soft counted limit is refused" '^vlimit: --nofile: only its hard limit' \
	"$(vlimit -c 752 -S --nofile 10 2>&1)"
check_one_line "and a value the kernel refuses, in one line" \
	"^vlimit: the kernel refused pids.max '5000000'" "$(vlimit -c 752 --nproc 5000000 2>&1)"
check_eq "pids.max is still vlimit's 30" 30 "$(cat $CG/l2/pids.max)"
# A guest whose group is full (a fork bomb) has no room for its stop
# command: the kill sequence stops it.
check "vlimit lowers l2's nproc to 1, below the processes it runs" vlimit -c 752 --nproc 1
check_match "no command starts in the full guest" "Resource temporarily unavailable" \
	"$(vserver l2 exec true 2>&1)"
out=$(timeout 120 vserver l2 stop 2>&1)
check_eq "stop of the full l2 succeeds" 0 "$?"
check_match "and says its stop command did not start" \
	"^vserver: l2: warning: the stop command did not start: .*Resource temporarily unavailable" "$out"
check "l2 is stopped" sh -c '! vserver l2 running'
check_one_line "vlimit on a stopped guest says so" \
	'^vlimit: context 752 is not running$' "$(vlimit -c 752 2>&1)"
check_clean "l2 left nothing behind" l2 752

# --- CPU: sched/ -> cpu.max and cpu.weight, cpuset/, nice -----------------
check "build l3" make_guest l3 753
mkdir -p "$IF/l3/sched" "$IF/l3/cpuset" "$IF/l3/rlimits"
echo 1 >"$IF/l3/sched/fill-rate"
echo 4 >"$IF/l3/sched/interval"
echo 5 >"$IF/l3/sched/priority-bias"
echo 1 >"$IF/l3/cpuset/cpus"
echo 0 >"$IF/l3/cpuset/mems"
echo 7 >"$IF/l3/nice"
echo 16384 >"$IF/l3/rlimits/rss.soft"
echo 500 >"$IF/l3/sched/tokens-max"
out=$(vserver l3 start 2>&1)
check_eq "start l3" 0 "$?"
check_match "naming the bucket's file a cgroup has no place for" \
	"^vserver: l3: warning: $IF/l3/sched: tokens-max not read: a cgroup keeps the rate \\(fill-rate/interval\\), not the bucket$" \
	"$out"
check_eq "cpu.max: fill-rate/interval (1/4) of the 100 ms period" "25000 100000" \
	"$(cat $CG/l3/cpu.max)"
check_eq "cpu.weight: the kernel's weight of nice 5" 33 "$(cat $CG/l3/cpu.weight)"
check_eq "cpuset.cpus is cpuset/cpus" 1 "$(cat $CG/l3/cpuset.cpus)"
check_eq "and in effect" 1 "$(cat $CG/l3/cpuset.cpus.effective)"
check_eq "cpuset.mems is cpuset/mems" 0 "$(cat $CG/l3/cpuset.mems)"
check_eq "the guest's init may run on CPU 1 only" 1 \
	"$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$(init_pid l3)/status)"
check_eq "the guest's init has nice 7 (nice)" 7 "$(cut -d' ' -f19 /proc/$(init_pid l3)/stat)"
check_eq "a soft rss alone is memory.high (16384 pages)" 67108864 "$(cat $CG/l3/memory.high)"
check_eq "and memory.max stays unlimited" max "$(cat $CG/l3/memory.max)"
check_match "the CPU line's limit is cpu.max's quota, 25000 us" '^[0-9]+ [0-9]+ -1 25000 [0-9]+$' \
	"$(limit_row 753 CPU)"
vserver l3 exec sh -c 'while :; do :; done' >/dev/null 2>&1 &
spin=$!
check "a busy loop in l3 is throttled (cpu.stat nr_throttled moves)" \
	wait_true '[ "$(event l3 cpu.stat nr_throttled)" -gt 0 ]' 30
# Read between two reads of cpu.stat, the line's time and hits lie
# between theirs (the time within 20 ms: the scheduler's sum and the
# cgroup's are kept apart).
used_before=$(event l3 cpu.stat usage_usec) throttled_before=$(event l3 cpu.stat nr_throttled)
cpu_row=$(limit_row 753 CPU)
used_after=$(event l3 cpu.stat usage_usec) throttled_after=$(event l3 cpu.stat nr_throttled)
echo "# cpu.stat usage_usec $used_before..$used_after nr_throttled" \
	"$throttled_before..$throttled_after; CPU line: $cpu_row"
check "the CPU line counts cpu.stat's throttled periods as hits" test \
	"$(echo "$cpu_row" | cut -d' ' -f5)" -ge "$throttled_before" -a \
	"$(echo "$cpu_row" | cut -d' ' -f5)" -le "$throttled_after"
check "its time is cpu.stat's usage_usec" test \
	"$(echo "$cpu_row" | cut -d' ' -f1)" -ge $((used_before - 20000)) -a \
	"$(echo "$cpu_row" | cut -d' ' -f1)" -le $((used_after + 20000))
check_eq "and its most held is that time" "$(echo "$cpu_row" | cut -d' ' -f1)" \
	"$(echo "$cpu_row" | cut -d' ' -f2)"
check_match "status shows l3's CPU time against its quarter of a CPU and the throttled periods" \
	'^CPU \(cgroup\): +[0-9]+\.[0-9][0-9] s used, at most 0\.25 CPU, [1-9][0-9]* periods? throttled$' \
	"$(vserver l3 status)"
check_match "vserver-stat --json has its quota, period and throttled periods" \
	'"cgroup_cpu_max_usec": 25000, "cgroup_cpu_period_usec": 100000, "cgroup_cpu_throttled": [1-9]' \
	"$(vserver-stat --json)"
check "stop l3" vserver l3 stop
wait "$spin"
check_clean "l3 left nothing behind" l3 753

# --- refused values: one line, nothing left --------------------------------
check "build l4" make_guest l4 754
mkdir -p "$IF/l4/cpuset" "$IF/l4/rlimits" "$IF/l4/sched"
echo 7 >"$IF/l4/cpuset/cpus"
# The kernel says ERANGE past its CPU numbers, EINVAL for one not present.
check_one_line "a CPU the VM lacks fails the start with one line naming cpuset/cpus" \
	"^vserver: l4: $IF/l4/cpuset/cpus: the kernel refused cpuset.cpus '7': (Numerical result out of range|Invalid argument)\$" \
	"$(vserver l4 start 2>&1)"
check_clean "and leaves no group, context or run file" l4 754
rm "$IF/l4/cpuset/cpus"
echo 5000000 >"$IF/l4/rlimits/nproc"
check_eq "an nproc past the kernel's pid limit: one line naming rlimits/nproc" \
	"vserver: l4: $IF/l4/rlimits/nproc: the kernel refused pids.max '5000000': Invalid argument" \
	"$(vserver l4 start 2>&1)"
check_clean "and leaves nothing" l4 754
rm "$IF/l4/rlimits/nproc"
echo 1 >"$IF/l4/sched/fill-rate"
echo 1000 >"$IF/l4/sched/interval"
check_eq "a CPU share below cpu.max's least: one line naming sched/fill-rate" \
	"vserver: l4: $IF/l4/sched/fill-rate: 1/1000 of a CPU is below cpu.max's least share, 1 ms in 100 ms (1/100)" \
	"$(vserver l4 start 2>&1)"
check_clean "and leaves nothing" l4 754
rm -r "$IF/l4/sched"
check "with the bad values gone l4 starts" vserver l4 start
check "stop l4" vserver l4 stop
check_clean "l4 left nothing behind" l4 754

# --- block I/O: cgroup/io.max, cgroup/io.weight on a loop device ----------
img=/tmp/io-limits.img
iofs=/srv/io-limits
check "make a 32 MiB ext4 image" \
	sh -c "dd if=/dev/zero of=$img bs=1M count=32 2>/dev/null && /usr/sbin/mke2fs -q -t ext4 $img"
# busybox losetup has no --show: take the device -f names.
loop=$(losetup -f)
check "attach it to $loop" losetup "$loop" "$img"
majmin=$(cat "/sys/block/${loop#/dev/}/dev")
mkdir -p "$iofs"
check "mount it" mount -t ext4 "$loop" "$iofs"
check "build l5 with its root on it" make_guest l5 755 --rootdir "$iofs"
mkdir -p "$IF/l5/cgroup"
echo "$loop wbps=256K" >"$IF/l5/cgroup/io.max"
printf '# half the default share\ndefault 50\n' >"$IF/l5/cgroup/io.weight"
echo l5-group >"$IF/l5/cgroup/name"
out=$(vserver l5 start 2>&1)
check_eq "start l5" 0 "$?"
check_eq "which warns that cgroup/name is not read" \
	"vserver: l5: warning: $IF/l5/cgroup/name: not read: a guest's group is named after the guest, l5 in $CG or in the group of the systemd unit that started it (vserver l5 status names it)" \
	"$(echo "$out" | grep warning)"
check_eq "io.max names $loop by its numbers, 256K written as 262144" \
	"$majmin rbps=max wbps=262144 riops=max wiops=max" "$(cat $CG/l5/io.max)"
check_eq "io.weight is cgroup/io.weight" "default 50" "$(cat $CG/l5/io.weight)"
# The time the write takes by the guest's own clock, /proc/uptime.
times=$(vserver l5 exec sh -c 'read a b </proc/uptime
busybox dd if=/dev/zero of=/f bs=64k count=16 oflag=direct 2>/dev/null || exit 1
read c d </proc/uptime; echo "$a $c"')
check_eq "l5 writes 1 MiB with O_DIRECT" 0 "$?"
# Unthrottled, 1 MiB takes well under a second even under emulation; at
# 256 KiB/s it takes 4 s.
tenths=$(echo "$times" | awk '{ printf "%d", ($2 - $1) * 10 }')
check "and io.max makes it take at least 3 s: $tenths tenths" test "${tenths:-0}" -ge 30
wbytes=$(sed -n "s/^$majmin .*wbytes=\([0-9]*\).*/\1/p" "$CG/l5/io.stat")
check "io.stat counts the megabyte against l5 on $majmin: wbytes=$wbytes" \
	test "${wbytes:-0}" -ge 1048576
check "stop l5" vserver l5 stop
check_clean "l5 left nothing behind" l5 755

check "build l6" make_guest l6 756
mkdir -p "$IF/l6/cgroup"
echo "/dev/null wbps=1M" >"$IF/l6/cgroup/io.max"
check_eq "an io.max device that is no block device: one line naming the file and line" \
	"vserver: l6: $IF/l6/cgroup/io.max:1: '/dev/null' is not a block device" \
	"$(vserver l6 start 2>&1)"
check_clean "and leaves nothing" l6 756
rm "$IF/l6/cgroup/io.max"
echo 64M >"$IF/l6/cgroup/memory.max"
check_eq "cgroup/memory.max is refused, pointing to rlimits/" \
	"vserver: $IF/l6/cgroup/memory.max: not read here: memory limits are set in rlimits/ (rss, as, anon, swap)" \
	"$(vserver l6 start 2>&1)"
check_clean "and leaves nothing" l6 756
check "unmount the image" umount "$iofs"
check "detach $loop" losetup -d "$loop"
rm -f "$img"

# --- per-process limits: ulimits/ (setrlimit) ------------------------------
# rlimit_pair NAME: the soft and hard value of NAME ("Max open files") in
# the /proc/PID/limits on stdin, one space between them.
rlimit_pair() { sed -n "s/^$1  *//p" | tr -s ' ' | cut -d' ' -f1,2; }
check "build l7" make_guest l7 757
mkdir -p "$IF/l7/ulimits"
echo 64 >"$IF/l7/ulimits/nofile"
echo 0 >"$IF/l7/ulimits/core.soft"
echo inf >"$IF/l7/ulimits/core.hard"
echo 1M >"$IF/l7/ulimits/fsize"
# Under a finite hard core limit (ulimit -c sets both), which only the
# guest's core.hard raises; the other resources the guest names differ
# from the host's too (nofile 1024 or more, fsize unlimited).
# RLIMIT_LOCKS is set but bounds nothing: warned about.
echo 100 >"$IF/l7/ulimits/locks"
out=$(sh -c 'ulimit -c 8 && vserver l7 start' 2>&1)
check_eq "start l7 under a 4 KiB core limit" 0 "$?"
check_match "ulimits/locks, which the kernel ignores, is warned about" \
	"^vserver: l7: warning: $IF/l7/ulimits/locks: set, but the kernel enforces no per-process locks limit; rlimits/locks bounds the guest's file locks$" \
	"$out"
init_limits=$(cat "/proc/$(init_pid l7)/limits")
check_eq "l7's init has ulimits/nofile as soft and hard limit" "64 64" \
	"$(echo "$init_limits" | rlimit_pair 'Max open files')"
check_eq "core.soft and core.hard, the hard one raised past the starter's" "0 unlimited" \
	"$(echo "$init_limits" | rlimit_pair 'Max core file size')"
check_eq "and fsize, 1M in bytes" "1048576 1048576" \
	"$(echo "$init_limits" | rlimit_pair 'Max file size')"
exec_limits=$(sh -c 'ulimit -c 8 && vserver l7 exec cat /proc/self/limits')
check_eq "a command vserver exec runs in l7 has nofile too" "64 64" \
	"$(echo "$exec_limits" | rlimit_pair 'Max open files')"
check_eq "and core" "0 unlimited" "$(echo "$exec_limits" | rlimit_pair 'Max core file size')"
check_eq "and fsize" "1048576 1048576" "$(echo "$exec_limits" | rlimit_pair 'Max file size')"
# echo is the shell's own: the shell is the writer SIGXFSZ kills.
vserver l7 exec sh -c 'x=0123456789abcdef
while [ ${#x} -lt 2097152 ]; do x=$x$x; done
echo "$x" >/tmp/big' >/dev/null 2>&1
check_eq "a shell in l7 writing 2 MiB to a file is killed by SIGXFSZ" 153 "$?"
check_eq "which left the file at ulimits/fsize" 1048576 \
	"$(vserver l7 exec sh -c 'wc -c </tmp/big' | tr -d ' ')"
# A running guest's group cannot be removed while its init is in it; an
# empty mount over the groups, in a mount namespace of the test's own,
# makes l7's look gone.  The command must not run outside the limits.
out=$(unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs none $CG &&
	vserver l7 exec echo ran" 2>&1)
check_eq "vserver exec into a guest whose group is gone fails with one line, the command not run" \
	"vserver: l7: its cgroup $CG/l7 is gone; not running a command outside its limits" \
	"$out"
check_eq "and in the group it runs" ran "$(vserver l7 exec echo ran)"
check "stop l7" vserver l7 stop
check_clean "l7 left nothing behind" l7 757

check "build l8" make_guest l8 758
mkdir -p "$IF/l8/ulimits"
echo 2000000000 >"$IF/l8/ulimits/nofile"
check_eq "a nofile above fs.nr_open fails the start with one line naming ulimits/nofile" \
	"vserver: l8: $IF/l8/ulimits/nofile: cannot set 2000000000: Operation not permitted" \
	"$(vserver l8 start 2>&1)"
check_clean "and leaves nothing" l8 758
echo 1024 >"$IF/l8/ulimits/nofile"
check "with nofile 1024 l8 starts" vserver l8 start
echo 2000000000 >"$IF/l8/ulimits/nofile"
out=$(vserver l8 exec echo ran 2>&1)
check_eq "then vserver exec fails as start did" 255 "$?"
check_eq "with the same line, the command not run" \
	"vserver: l8: $IF/l8/ulimits/nofile: cannot set 2000000000: Operation not permitted" "$out"
# The stop command goes without ulimits/: its shutdown still runs.
check "stop l8 with the broken ulimits/nofile" vserver l8 stop
check_eq "and l8's rc 6 ran to its end" "rc 6 finished" "$(tail -n 1 /vservers/l8/etc/rc.log)"
check_clean "l8 left nothing behind" l8 758

# --- swap: rlimits/swap (pages) -> memory.swap.max ---------------------------
# The VM has no swap: its RAM disk (brd, configs/kernel/base.config) is
# made one.  Not a loop device over a file in /tmp: the loop worker
# writes for the cgroup of the page swapped out, which would be charged
# the page again in the tmpfs file.
swapdev=/dev/ram0
# swap_total: SwapTotal in kB of the meminfo on stdin.
swap_total() { sed -n 's/^SwapTotal:[[:space:]]*\([0-9]*\) kB$/\1/p'; }
# sample_swap GUEST / stop_sampling GUEST: samples GUEST's
# memory.swap.current every 0.1 s in the background; stop_sampling stops
# that and sets most to the most seen.
sample_swap() {
	: >"/tmp/$1-swap.run"
	echo 0 >"/tmp/$1-swap.most"
	(most=0
	while [ -e "/tmp/$1-swap.run" ]; do
		n=$(cat "$CG/$1/memory.swap.current" 2>/dev/null || echo 0)
		[ "${n:-0}" -gt "$most" ] && most=$n && echo "$most" >"/tmp/$1-swap.most"
		sleep 0.1
	done) &
	sampler=$!
}
stop_sampling() { rm -f "/tmp/$1-swap.run"; wait "$sampler"; most=$(cat "/tmp/$1-swap.most"); }
check "the VM has a RAM disk to swap to" test -b "$swapdev"
check "mkswap it" mkswap "$swapdev"
check "swapon it" swapon "$swapdev"
host_swap=$(swap_total </proc/meminfo)
check "the host has about 64 MiB of swap now: $host_swap kB" test "${host_swap:-0}" -gt 60000
check "build l9" make_guest l9 759
mkdir -p "$IF/l9/rlimits"
echo 8192 >"$IF/l9/rlimits/rss"
echo 4096 >"$IF/l9/rlimits/swap"
out=$(vserver l9 start 2>&1)
check_eq "start l9" 0 "$?"
check_eq "without a warning: rlimits/swap is applied" "" "$(echo "$out" | grep warning)"
check_eq "memory.swap.max is rlimits/swap in bytes (4096 pages of 4 KiB)" 16777216 \
	"$(cat $CG/l9/memory.swap.max)"
check_eq "beside memory.max, rlimits/rss's" 33554432 "$(cat $CG/l9/memory.max)"
check_eq "SwapTotal in l9 is its swap limit, 16 MiB (virt_mem)" 16384 \
	"$(vserver l9 exec cat /proc/meminfo | swap_total)"
check_eq "the host's /proc/swaps lists its RAM disk (control)" 1 \
	"$(grep -c "^$swapdev " /proc/swaps)"
check_eq "l9's /proc/swaps names no swap of the host's: its header only" "Filename" \
	"$(vserver l9 exec cat /proc/swaps | cut -f1)"
# dd reads 36 MiB from /dev/zero into one buffer, then blocks writing to
# a pipe nobody reads, until /hold goes.  Of the 36 MiB at most 32 fit in
# memory.max, so 4 or more must be swapped out, and memory.swap.max leaves
# room for what else l9 holds.
touch /vservers/l9/hold
rm -f /tmp/l9-hold.done
(vserver l9 exec sh -c 'busybox dd if=/dev/zero bs=37748736 count=1 2>/dev/null |
	while [ -e /hold ]; do sleep 0.2; done' >/dev/null 2>&1
echo $? >/tmp/l9-hold.done) &
holder=$!
check "a hog holding 36 MiB in l9 swaps: memory.swap.current rises past 4 MiB" \
	wait_true '[ "$(cat $CG/l9/memory.swap.current)" -ge 4194304 ]' 60
sample_swap l9
sleep 2
stop_sampling l9
echo "# l9 holding 36 MiB: most swap seen $most bytes, memory.current $(cat $CG/l9/memory.current)"
check "and stays within memory.swap.max, 16 MiB: $most bytes" test "$most" -le 16777216
check_eq "the hog fits in memory and swap: no OOM kill" 0 "$(event l9 memory.events oom_kill)"
check_match "status shows l9's swap against its limit" \
	'^Swap \(cgroup\): +[0-9.]+[KM] of 16M, [0-9]+ swap-outs? refused$' "$(vserver l9 status)"
check_match "vlimit -a shows l9's swap in pages against 4096" \
	'^swap +[1-9][0-9]* +- +4096 +[0-9]+$' "$(vlimit -c 759 -a)"
check_match "vserver-stat --json has l9's swap and its limit" \
	'"name": "l9".*"cgroup_swap_bytes": [1-9][0-9]*, "cgroup_swap_max_bytes": 16777216' \
	"$(vserver-stat --json)"
check "vlimit raises l9's swap limit" vlimit -c 759 --swap 8192
check_eq "which is memory.swap.max (8192 pages)" 33554432 "$(cat $CG/l9/memory.swap.max)"
check_match "and vlimit shows it" '^swap +[0-9]+ +- +8192 ' "$(vlimit -c 759)"
check_one_line "a soft swap limit is refused" '^vlimit: --swap: only its hard limit \(-H\) applies$' \
	"$(vlimit -c 759 -S --swap 100 2>&1)"
check "vlimit puts it back" vlimit -c 759 --swap 4096
check_eq "memory.swap.max is 16 MiB again" 16777216 "$(cat $CG/l9/memory.swap.max)"
rm -f /vservers/l9/hold
check "the hog lets go when /hold goes" wait_true '[ -e /tmp/l9-hold.done ]' 30
[ -e /tmp/l9-hold.done ] || kill "$holder"
wait "$holder"
# 64 MiB fit neither in 32 MiB of memory and 16 of swap, though the RAM
# disk has room: the group's OOM killer takes the hog.  Whether
# memory.swap.events counts a refused swap-out on the way depends on
# reclaim's batches: one that fills the limit exactly is refused nothing.
sample_swap l9
vserver l9 exec busybox dd if=/dev/zero of=/dev/null bs=67108864 count=1 >/dev/null 2>&1
check_eq "a 64 MiB hog in l9 is killed by SIGKILL" 137 "$?"
stop_sampling l9
echo "# l9's 64 MiB hog: most swap seen $most bytes; memory.swap.events:" \
	"$(tr '\n' ' ' <$CG/l9/memory.swap.events)"
check "by the OOM killer of l9's group" test "$(event l9 memory.events oom_kill)" -ge 1
check "its swap stayed within memory.swap.max: $most bytes" test "$most" -le 16777216
check "vlimit lifts l9's swap limit (inf)" vlimit -c 759 --swap inf
check_eq "memory.swap.max is max" max "$(cat $CG/l9/memory.swap.max)"
check "then the same hog runs to its end, swapped out: the limit was what killed it" \
	vserver l9 exec busybox dd if=/dev/zero of=/dev/null bs=67108864 count=1
check "stop l9" vserver l9 stop
check_clean "l9 left nothing behind" l9 759
echo 0 >"$IF/l9/rlimits/swap"
check "start l9 with rlimits/swap 0" vserver l9 start
check_eq "memory.swap.max is 0" 0 "$(cat $CG/l9/memory.swap.max)"
check_eq "SwapTotal in l9 is 0" 0 "$(vserver l9 exec cat /proc/meminfo | swap_total)"
sample_swap l9
vserver l9 exec busybox dd if=/dev/zero of=/dev/null bs=37748736 count=1 >/dev/null 2>&1
check_eq "without swap, the 36 MiB held before are killed by SIGKILL" 137 "$?"
stop_sampling l9
check_eq "and nothing of l9 was ever swapped out" 0 "$most"
check_match "status shows the swap limit of 0" \
	'^Swap \(cgroup\): +0 of 0, [0-9]+ swap-outs? refused$' "$(vserver l9 status)"
check "stop l9" vserver l9 stop
check_clean "l9 left nothing behind" l9 759
rm -f /tmp/l9-swap.most /tmp/l9-hold.done
check "swapoff the RAM disk" swapoff "$swapdev"
check_eq "the host has no swap again, as the tests after this one expect" 0 \
	"$(swap_total </proc/meminfo)"
t_done
