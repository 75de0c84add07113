#!/bin/sh
# Runs in a benchmark VM (vstest.mode=bench, booted by testvm/bench):
# builds a busybox root under /tmp, loads vserver.ko when the initramfs
# has one (the unpatched kernel's has none, and times a second host worker
# where the guest's would be: vstest bench --host-only) and writes what
# "vstest bench" measures to the channel given as $1:
#   LSM LIST                 the kernel's active security modules
#   KERNEL RELEASE
#   ROUND ... | MEDIAN ...   as vstest bench prints them
#   EXIT STATUS              vstest bench's
#   DONE
# vstest.rounds=N and vstest.iterations=OPENS,STATS,EXECS[,UDPS,CONNECTS,
# STREAMS[,READDIRS]] on the kernel command line override the probe's counts.
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

args="--root $root"
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
	esac
done
echo "bench: vstest bench $args"
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
echo "EXIT $status" >"$results"
echo DONE >"$results"
