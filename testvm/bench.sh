#!/bin/sh
# Runs in a benchmark VM (vstest.mode=bench, booted by testvm/bench):
# builds a busybox root under /tmp, loads vserver.ko when the initramfs
# has one (the unpatched kernel's has none, and times a second host worker
# where the guest's would be: vstest bench --host-only) and writes what
# "vstest bench" measures to the channel given as $1:
#   LSM LIST                 the kernel's active security modules
#   KERNEL RELEASE
#   ROUND ... | MEDIAN ...   as vstest bench prints them
#   PROFILETOTAL ... | PROFILE ...   with vstest.profile, the same
#   EXIT STATUS              vstest bench's
#   DONE
#   CONTEXTMEM N HOST_KB CONTEXTS_KB   (patched VM) unreclaimable slab that N
#                            host processes, and N processes each in a
#                            context of its own, added
#   DENSITY TARGET RAN AVAIL_BEFORE_KB AVAIL_AFTER_KB REASON
#                            (patched VM) how many busybox guests ran at once
#   STATTIME GUESTS NS       (patched VM) vserver-stat's median time over them
#   TOOLPROFILETOTAL ... | TOOLPROFILE ...   (patched VM) with vserver-exec or
#                            vserver-stat in vstest.profile, vstest
#                            profile-command's profile of that tool
# vstest.rounds=N and vstest.iterations=OPENS,STATS,EXECS[,UDPS,CONNECTS,
# STREAMS[,READDIRS[,FORKS,SOCKETS]]] on the kernel command line override
# the probe's counts; vstest.density=N the number of guests and contexts
# (1000; 0: none); vstest.profile=OP[,OP...], vstest.profile_period=NS and
# vstest.profile_scope=task|system profile those ops after the timed
# rounds (vstest bench --profile, --profile-period, --profile-scope);
# vserver-exec and vserver-stat among the OPs profile those tools, the
# whole CPU, where they are timed.
results=${1:?results channel}
. /testvm/lib.sh

root=/tmp/bench-root
busybox_root "$root"
ln -sf busybox "$root/bin/true"
mkdir -p "$root/a/b/c/d/e/f"
echo data >"$root/a/b/c/d/e/f/file"
# The workers read /proc ("readdir") from inside the root.
mount -t proc proc "$root/proc"

# The network ops' addresses: the host's sinks on .1, the guest's on .2
# (the probe's kBenchHostAddr and kBenchGuestAddr).
ip link add bench0 type dummy
ip addr add 10.71.0.1/24 dev bench0
ip addr add 10.71.0.2/24 dev bench0
ip link set bench0 up
ip link set lo up

mkdir -p /sys/kernel/security
mount -t securityfs securityfs /sys/kernel/security
echo "LSM $(cat /sys/kernel/security/lsm)" >"$results"
echo "KERNEL $(uname -r)" >"$results"

density=1000
args="--root $root"
profile_ops= profile_tools= profile_period=
# Whether TOOL (vserver-exec, vserver-stat) is to be profiled.
profiling() { case " $profile_tools " in *" $1 "*) return 0 ;; esac; return 1; }
# profile_command NAME CALLS CMD...: vstest profile-command's lines to the
# channel.
profile_command() {
	vstest profile-command $profile_period "$@" >/tmp/profile.out 2>&1 ||
		echo "bench: profiling $1 failed: $(tail -n 1 /tmp/profile.out)"
	cat /tmp/profile.out >"$results"
}
if [ -e /testvm/vserver.ko ]; then
	insmod /testvm/vserver.ko || echo "bench: insmod vserver.ko failed"
	# The guest "vserver benchtool exec /bin/true" is timed in; vstest
	# starts it only then, so that both VMs list as many processes in
	# /proc for the rounds before.
	make_guest benchtool 4705 >/dev/null &&
		ln -sf busybox /vservers/benchtool/bin/true ||
		echo "bench: the guest benchtool could not be built"
else
	args="$args --host-only"
fi
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vstest.rounds=*) args="$args --rounds ${arg#*=}" ;;
	vstest.iterations=*) args="$args --iterations ${arg#*=}" ;;
	vstest.density=*) density=${arg#*=} ;;
	vstest.profile=*)
		for what in $(echo "${arg#*=}" | tr , ' '); do
			case "$what" in
			vserver-exec | vserver-stat) profile_tools="$profile_tools $what" ;;
			*) profile_ops="$profile_ops,$what" ;;
			esac
		done ;;
	vstest.profile_period=*)
		args="$args --profile-period ${arg#*=}"
		profile_period="--period ${arg#*=}" ;;
	vstest.profile_scope=*) args="$args --profile-scope ${arg#*=}" ;;
	esac
done
[ -n "$profile_ops" ] && args="$args --profile ${profile_ops#,}"
echo "bench: vstest bench $args"
# The patched VM's setup forked more than the unpatched one's: from here
# on both hand out the same pids, so that /proc lists names of the same
# lengths to both VMs' readdir rounds.
echo 19999 >/proc/sys/kernel/ns_last_pid
started=$(cut -d. -f1 /proc/uptime)
# Through a file, followed on the console as it runs.
: >/tmp/bench.out
tail -f /tmp/bench.out &
follower=$!
vstest bench $args >/tmp/bench.out 2>&1
status=$?
sleep 1; kill $follower; wait $follower 2>/dev/null
cat /tmp/bench.out >"$results"
echo "bench: exit $status after $(($(cut -d. -f1 /proc/uptime) - started)) s"
if [ -e /testvm/vserver.ko ] && profiling vserver-exec; then
	vserver benchtool start >/dev/null &&
		profile_command vserver-exec 40 vserver benchtool exec /bin/true
	vserver benchtool stop >/dev/null
fi

meminfo_kb() { awk -v key="$1:" '$1 == key { print $2 }' /proc/meminfo; }
# Freed slab objects and dentries settle before a reading.
settled_kb() { sync; echo 2 >/proc/sys/vm/drop_caches; sleep 2; meminfo_kb "$1"; }

# kernel memory per context: N host processes against N processes each in
# a context of its own (vcontext, no namespaces), the same busybox sleep.
# Slab pages stay once grown, so each kind runs twice, the first round
# growing the caches both need.
sleepers_kb() {
	local n=$1 kind=$2 i before grown
	before=$(settled_kb SUnreclaim)
	for i in $(seq "$n"); do
		if [ "$kind" = host ]; then sleep 100000 >/dev/null &
		else vcontext --create --xid $((20000 + i)) -- sleep 100000 >/dev/null & fi
	done
	[ "$kind" = host ] ||
		wait_true "[ \$(ls -d /proc/virtual/2???? 2>/dev/null | wc -l) -ge $n ]" 600 ||
		echo "bench: only $(ls -d /proc/virtual/2???? | wc -l) of $n contexts came up" >&2
	grown=$(($(settled_kb SUnreclaim) - before))
	kill $(jobs -p) 2>/dev/null; wait
	# A context ends after its last task: none may be left for the next round.
	wait_true "! ls -d /proc/virtual/2???? >/dev/null 2>&1" 600
	echo "$grown"
}
context_memory() {
	local n=$1 host contexts
	sleepers_kb "$n" host >/dev/null
	sleepers_kb "$n" context >/dev/null
	host=$(sleepers_kb "$n" host)
	contexts=$(sleepers_kb "$n" context)
	echo "CONTEXTMEM $n $host $contexts" >"$results"
}

# Density: busybox guests (init and one sleeping daemon each, their roots
# hard links to one template on the same file system) started one after the other until TARGET run,
# a start fails, or less than 64 MiB is available; then vserver-stat over
# them.
density() {
	local target=$1 template=/vservers/.density-template i ran=0 reason="target reached" before
	busybox_root "$template"
	sysv_rc "$template"
	before=$(meminfo_kb MemAvailable)
	for i in $(seq "$target"); do
		if [ "$(meminfo_kb MemAvailable)" -lt 65536 ]; then
			reason="less than 64 MiB available"; break
		fi
		if ! vserver "d$i" build -m skeleton --context $((30000 + i)) \
			-- cp -alf "$template/." . >/tmp/density.log 2>&1 ||
			! vserver "d$i" start >>/tmp/density.log 2>&1; then
			reason="guest $i: $(tail -n 1 /tmp/density.log)"; break
		fi
		ran=$i
		[ $((i % 100)) = 0 ] && echo "bench: $i guests running, $(meminfo_kb MemAvailable) kB available"
	done
	echo "DENSITY $target $ran $before $(settled_kb MemAvailable) $reason" >"$results"
	echo "STATTIME $ran $(vstest time-command 5 vserver-stat)" >"$results"
	! profiling vserver-stat || profile_command vserver-stat 5 vserver-stat
}

if [ -e /testvm/vserver.ko ] && [ "$density" -gt 0 ]; then
	echo "bench: kernel memory per context, $density contexts"
	context_memory "$density"
	echo "bench: density, up to $density guests"
	density "$density"
fi
echo "EXIT $status" >"$results"
echo DONE >"$results"
