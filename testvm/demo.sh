#!/bin/sh
# What "make demo" shows: two guests built, started as at boot by
# start-vservers, each with its own address and web1 with limits, looked
# at from inside and from the host, and stopped.  A step that fails says
# so, and the demo goes on.
. /testvm/lib.sh
step() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
# show CMD...: prints CMD, runs it, and says so when it fails.
show() { echo "\$ $*"; "$@" || echo "(failed, exit status $?)"; }
# refused CMD...: the same for a command that must fail.
refused() {
	echo "\$ $*"
	if "$@"; then echo "(it was not refused: something is wrong)"; else echo "(refused, exit status $?)"; fi
}

step "Load the module; a dummy device demo0 holds the host's 10.80.0.1/24"
show insmod /testvm/vserver.ko
show cat /proc/virtual/info
show ip link add demo0 type dummy
show ip addr add 10.80.0.1/24 dev demo0

step "Build two busybox guests: db1 (context 102) and web1 (context 101)"
# setup NAME XID ADDRESS: builds NAME with ADDRESS on demo0, marked default.
setup() {
	echo "\$ vserver $1 build -m skeleton --context $2 ..."
	make_guest "$1" "$2" >/dev/null || echo "(failed: building $1)"
	mkdir -p "/etc/vservers/$1/interfaces/0" "/etc/vservers/$1/apps/init"
	echo "$3" >"/etc/vservers/$1/interfaces/0/ip"
	echo 24 >"/etc/vservers/$1/interfaces/0/prefix"
	echo demo0 >"/etc/vservers/$1/interfaces/0/dev"
	echo default >"/etc/vservers/$1/apps/init/mark"
}
setup db1 102 10.80.0.12
setup web1 101 10.80.0.11
cfg=/etc/vservers/web1
mkdir -p $cfg/rlimits $cfg/cpuset
echo 50 >$cfg/rlimits/nproc
echo 16384 >$cfg/rlimits/rss
echo 256 >$cfg/rlimits/nofile
echo 0 >$cfg/cpuset/cpus
echo 0 >$cfg/cpuset/mems
echo db1 >$cfg/apps/init/depends
ln -sf busybox /vservers/web1/bin/nproc

step "web1's configuration: one value a file (rss is in 4 KiB pages: 64 MiB)"
(cd $cfg && find context interfaces rlimits cpuset apps/init -type f | sort | xargs grep .) ||
	echo "(failed: reading $cfg)"

step "As at boot (vservers.service): the group default starts, db1 first as web1 depends on it"
show start-vservers --mark default --start

step "vserver-stat on the host: both guests, each with its address"
show vserver-stat

step "Inside web1: its name and its own processes only"
show vserver web1 exec hostname
show vserver web1 exec ps

step "Inside web1: its memory is its limit, its CPUs its cpuset"
show vserver web1 exec grep MemTotal /proc/meminfo
show vserver web1 exec nproc

step "web1 sees nothing of db1, and cannot take db1's address"
show vserver web1 exec ls /proc/virtual
refused vserver web1 exec cat /proc/virtual/102/info
refused timeout 10 vserver web1 exec /bin/busybox httpd -f -p 10.80.0.12:8080

step "vserver web1 status: its limits, what it uses, its address"
show vserver web1 status

step "At shutdown: the group stops in reverse, web1 before db1"
show start-vservers --mark default --stop

step "vserver-stat: no guest is left, only the host"
show vserver-stat
