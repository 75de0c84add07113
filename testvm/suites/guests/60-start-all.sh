# start-vservers and /etc/init.d/vservers-default: the guests of a mark
# start in dependency order and stop in reverse; disabled and unmarked
# guests stay down; a cycle is refused before anything starts; a failing
# guest fails its dependants and no other; a start that outlives its
# guest's own limit is cut short alone; a stop that outlives its time
# limit kills what is left; everything reaches syslog, and so does a
# guest's restart after its reboot, failed or not.
#
# Each guest's hooks (run on the host) write to /tmp/t60/order: "begin
# NAME" when its start begins (initialize), "up NAME" once it runs
# (post-start), "stop NAME" when its stop begins (pre-stop).
. /testvm/lib.sh

t=/tmp/t60
mkdir -p $t
cat >$t/hook <<'HOOK'
#!/bin/sh
# PHASE NAME
[ -e "/tmp/t60/fail-$2" ] && exit 1
case $1 in
initialize)
	echo "begin $2" >>/tmp/t60/order
	[ -e /tmp/t60/slow ] && sleep 2
	;;
post-start) echo "up $2" >>/tmp/t60/order ;;
pre-stop)
	echo "stop $2" >>/tmp/t60/order
	if [ -e "/tmp/t60/hang-$2" ]; then echo $$ >/tmp/t60/hang.pid; exec sleep 60; fi
	;;
esac
exit 0
HOOK
chmod 755 $t/hook

# guest NAME XID MARKS [DEPENDS]: a busybox guest with the hooks above.
guest() {
	make_guest "$1" "$2" >/dev/null 2>&1 || t_fail "build $1" "build failed"
	local cfg=/etc/vservers/$1 phase
	mkdir -p "$cfg/apps/init" "$cfg/scripts"
	[ -n "$3" ] && printf '%s\n' $3 >"$cfg/apps/init/mark"
	[ -n "$4" ] && printf '%s\n' $4 >"$cfg/apps/init/depends"
	for phase in initialize post-start pre-stop; do
		printf '#!/bin/sh\nexec /tmp/t60/hook "$@"\n' >"$cfg/scripts/$phase"
		chmod 755 "$cfg/scripts/$phase"
	done
}

all="t60db:601 t60web:602 t60app:603 t60solo:604 t60off:605 t60other:606 t60lone:607 t60cyc1:608 t60cyc2:609 t60r:610 t60h:611"
guest t60db 601 t60
guest t60web 602 t60 t60db
guest t60app 603 t60 t60web
guest t60solo 604 "t60 default"
guest t60off 605 t60
touch /etc/vservers/t60off/disabled
guest t60other 606 ""
guest t60lone 607 t60miss t60ghost
guest t60cyc1 608 t60cyc t60cyc2
guest t60cyc2 609 t60cyc t60cyc1

# running NAMES...: the names of those that run, space-separated.
running() {
	local name out=""
	for name in "$@"; do vserver "$name" running && out="$out $name"; done
	echo "${out# }"
}
order() { tr '\n' ',' <$t/order | sed 's/,$//'; }
# lines FILE: the tool's own lines, without the guests' rc output.
lines() { grep '^start-vservers: ' "$1"; }

syslogd -n -O $t/syslog &
syslogd_pid=$!
wait_exists /dev/log

# --- status of a stopped set ---
start-vservers --mark t60 --status >$t/out 2>&1
check_eq "status of a stopped set exits 3" 3 $?
check_eq "status lists the set in start order, the disabled guest apart" \
	"t60db: stopped
t60solo: stopped
t60web: stopped
t60app: stopped
t60off: disabled
0 of 4 guests marked 't60' are running" "$(cat $t/out)"

# --- one at a time: exact order ---
: >$t/order
start-vservers --mark t60 --jobs 1 --start >$t/out 2>&1
check_eq "start of the set exits 0" 0 $?
check_eq "one at a time, each guest starts after what it depends on runs" \
	"begin t60db,up t60db,begin t60solo,up t60solo,begin t60web,up t60web,begin t60app,up t60app" "$(order)"
check_eq "start reports each guest, the disabled one skipped, and a summary" \
	"start-vservers: t60off: skipped (disabled)
start-vservers: t60db: started
start-vservers: t60solo: started
start-vservers: t60web: started
start-vservers: t60app: started
start-vservers: started 4 of 4 guests marked 't60'" "$(lines $t/out)"
check_eq "the marked guests run; the disabled and the unmarked do not" \
	"t60db t60web t60app t60solo" "$(running t60db t60web t60app t60solo t60off t60other)"
start-vservers --mark t60 --status >$t/out 2>&1
check_eq "status of a running set exits 0" 0 $?
check_eq "status says all run" "4 of 4 guests marked 't60' are running" "$(tail -n 1 $t/out)"

: >$t/order
start-vservers --mark t60 --jobs 1 --stop >$t/out 2>&1
check_eq "stop of the set exits 0" 0 $?
check_eq "stop goes in reverse dependency order" "stop t60app,stop t60solo,stop t60web,stop t60db" "$(order)"
check_eq "stop reports a summary" "start-vservers: stopped 4 of 4 guests marked 't60'" "$(lines $t/out | tail -n 1)"
check_eq "nothing of the set runs" "" "$(running t60db t60web t60app t60solo)"
for g in t60db:601 t60web:602 t60app:603 t60solo:604; do check_clean "${g%:*} stopped clean" ${g%:*} ${g#*:}; done

# --- in parallel: independent guests overlap, dependencies still hold ---
: >$t/order
touch $t/slow
start-vservers --mark t60 --start >$t/out 2>&1
check_eq "a parallel start exits 0" 0 $?
rm $t/slow
check_eq "the two independent guests began together" "begin t60db,begin t60solo" "$(head -n 2 $t/order | sort | tr '\n' ',' | sed 's/,$//')"
check "t60web began only once t60db was up" \
	sh -c "grep -n . $t/order | grep -E ':(up t60db|begin t60web)$' | cut -d: -f2 | tr '\n' , | grep -qx 'up t60db,begin t60web,'"
check "t60app began only once t60web was up" \
	sh -c "grep -n . $t/order | grep -E ':(up t60web|begin t60app)$' | cut -d: -f2 | tr '\n' , | grep -qx 'up t60web,begin t60app,'"
check_eq "all four run" "t60db t60web t60app t60solo" "$(running t60db t60web t60app t60solo)"

# --- a stop that outlives the time limit: what is left is killed ---
touch $t/hang-t60solo
start-vservers --mark t60 --timeout 25 --stop >$t/out 2>&1
check_eq "a stop cut short exits 1" 1 $?
rm $t/hang-t60solo
[ -s $t/hang.pid ] && kill "$(cat $t/hang.pid)" 2>/dev/null
check_eq "it names the guest cut short, kills it, and says so" \
	"start-vservers: t60solo: stop cut short at the time limit (25 s)
start-vservers: t60solo: killed
start-vservers: stopped 3 of 4 guests marked 't60'; failed: t60solo" \
	"$(lines $t/out | grep -E 't60solo|stopped .* of')"
check_eq "the others stopped in order meanwhile" "t60app t60web t60db" \
	"$(grep -E '^stop ' $t/order | grep -v t60solo | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
for g in t60db:601 t60web:602 t60app:603 t60solo:604; do check_clean "${g%:*} gone after the time limit" ${g%:*} ${g#*:}; done

# --- a failing guest fails its dependants, and no other ---
: >$t/order
touch $t/fail-t60web
start-vservers --mark t60 --jobs 1 --start >$t/out 2>&1
check_eq "a start with a failing guest exits 1" 1 $?
rm $t/fail-t60web
check_eq "the failure, its dependant, and the summary name them" \
	"start-vservers: t60web: start failed (exit status 255)
start-vservers: t60app: not started: it depends on t60web, which failed
start-vservers: started 2 of 4 guests marked 't60'; failed: t60web, t60app" \
	"$(lines $t/out | grep -vE ': (t60db|t60solo): started$|skipped')"
check_eq "the guests that do not depend on it run" "t60db t60solo" "$(running t60db t60web t60app t60solo)"
check_eq "t60app never began" "" "$(grep 't60app' $t/order)"
start-vservers --mark t60 --stop >/dev/null 2>&1
check_eq "stop after a partial start exits 0" 0 $?
check_eq "nothing runs after it" "" "$(running t60db t60web t60app t60solo)"

# --- a start that never ends is cut at its guest's own limit, alone ---
# t60hang's rc never returns.  With one job at a time it would hold the
# only slot until the set's time limit, and t60next, which does not
# depend on it, would never start: its apps/init/restart-timeout (10 s)
# cuts it short, which undoes it.
make_guest t60hang 612 >/dev/null 2>&1 || t_fail "build t60hang" "build failed"
make_guest t60next 613 >/dev/null 2>&1 || t_fail "build t60next" "build failed"
all="$all t60hang:612 t60next:613"
printf '#!/bin/sh\n[ "$1" = 3 ] || exit 0\nexec sleep 100068\n' >/vservers/t60hang/etc/init.d/rc
for g in t60hang t60next; do
	mkdir -p /etc/vservers/$g/apps/init
	echo t60s >/etc/vservers/$g/apps/init/mark
done
echo 10 >/etc/vservers/t60hang/apps/init/restart-timeout
start-vservers --mark t60s --jobs 1 --timeout 150 --start >$t/out 2>&1
check_eq "a start cut short at its guest's limit exits 1" 1 $?
check_eq "it names the guest and its limit, and the next guest starts" \
	"start-vservers: t60hang: start cut short at its apps/init/restart-timeout (10 s)
start-vservers: t60next: started
start-vservers: started 1 of 2 guests marked 't60s'; failed: t60hang" "$(lines $t/out)"
check_eq "t60next runs, t60hang does not" "t60next" "$(running t60hang t60next)"
check "t60hang's rc is gone" wait_true \
	"! cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -q '[s]leep 100068'" 10
check_clean "t60hang left nothing after its cut start" t60hang 612
check "stop t60next" vserver t60next stop

# --- a dependency that is no guest ---
start-vservers --mark t60miss --start >$t/out 2>&1
check_eq "a missing dependency exits 1" 1 $?
check_eq "it names the guest and its missing dependency" \
	"start-vservers: t60lone: not started: it depends on t60ghost, which is not a guest (no /etc/vservers/t60ghost)
start-vservers: started 0 of 1 guests marked 't60miss'; failed: t60lone" "$(lines $t/out)"
check_eq "t60lone stays down" "" "$(running t60lone)"

# --- a cycle is refused before anything starts ---
: >$t/order
start-vservers --mark t60cyc --start >$t/out 2>&1
check_eq "a cycle exits 255" 255 $?
check_eq "the cycle is named" "start-vservers: dependency cycle: t60cyc1 -> t60cyc2 -> t60cyc1; nothing started" "$(cat $t/out)"
check_eq "nothing began" "" "$(cat $t/order)"
check_eq "no guest of the cycle runs" "" "$(running t60cyc1 t60cyc2)"

# --- the sysv script: mark default ---
/etc/init.d/vservers-default start >$t/out 2>&1
check_eq "vservers-default start exits 0" 0 $?
check_eq "it starts the guests marked default only" "t60solo" \
	"$(running t60db t60web t60app t60solo t60off t60other)"
/etc/init.d/vservers-default status >$t/out 2>&1
check_eq "vservers-default status of the running group exits 0" 0 $?
check_eq "status lists it" "t60solo: running
1 of 1 guests marked 'default' are running" "$(cat $t/out)"
/etc/init.d/vservers-default restart >/dev/null 2>&1
check_eq "vservers-default restart exits 0" 0 $?
check_eq "t60solo runs after the restart" "t60solo" "$(running t60solo)"
/etc/init.d/vservers-default stop >/dev/null 2>&1
check_eq "vservers-default stop exits 0" 0 $?
/etc/init.d/vservers-default status >/dev/null 2>&1
check_eq "vservers-default status of the stopped group exits 3" 3 $?
/etc/init.d/vservers-default bogus >$t/out 2>&1
check_eq "an unknown action exits 2" 2 $?
check_eq "with its usage" "usage: /etc/init.d/vservers-default {start|stop|status|restart|force-reload}" "$(cat $t/out)"
check_eq "its LSB header" "### BEGIN INIT INFO
# Provides:          vservers-default" "$(grep -A1 '^### BEGIN INIT INFO' /etc/init.d/vservers-default)"

# --- a guest that reboots itself: its restart is logged, a failed one too ---
make_guest t60r 610 --initstyle plain >/dev/null 2>&1 || t_fail "build t60r" "build failed"
printf '::respawn:/bin/sleep 100060\n' >/vservers/t60r/etc/inittab
mkdir -p /etc/vservers/t60r/scripts
printf '#!/bin/sh\nexec /tmp/t60/hook "$@"\n' >/etc/vservers/t60r/scripts/initialize
chmod 755 /etc/vservers/t60r/scripts/initialize
check "start t60r" vserver t60r start
first=$(init_pid t60r)
vserver t60r exec reboot -f >/dev/null 2>&1
check "t60r came back after its reboot" \
	wait_true 'restarted t60r "$first"' 20
check "its restart reached syslog" \
	wait_true "grep -q 'daemon.info vserver\[[0-9]*\]: t60r: restarted after its reboot' $t/syslog" 10
touch $t/fail-t60r
vserver t60r exec reboot -f >/dev/null 2>&1
check "the failed restart reached syslog" wait_true "grep -q 'daemon.err vserver\[[0-9]*\]: \
t60r: did not come back up after its reboot (vserver start: exit status 255)' $t/syslog" 20
rm $t/fail-t60r
check_eq "t60r stays down" "" "$(running t60r)"
check_clean "t60r left nothing after its failed restart" t60r 610

# A sysv guest whose rc does not return when it starts again after its
# reboot: nobody watches that start, which holds the guest's lock (every
# stop of it waits), so apps/init/restart-timeout cuts it short.  Long
# enough (10 s) that the hang is seen under TCG before it is cut.
make_guest t60h 611 >/dev/null 2>&1 || t_fail "build t60h" "build failed"
cat >/vservers/t60h/etc/init.d/rc <<'RC'
#!/bin/sh
[ "$1" = 3 ] || exit 0
if [ -e /etc/rc.started ]; then touch /etc/rc.hung; exec sleep 100067; fi
touch /etc/rc.started
sleep 100066 </dev/null >/dev/null 2>&1 &
RC
echo 10 >/etc/vservers/t60h/apps/init/restart-timeout
check "start t60h" vserver t60h start
vserver t60h exec reboot -f >/dev/null 2>&1
check "t60h's rc hangs in its restart" wait_exists /vservers/t60h/etc/rc.hung 20
check "the hung restart is cut short and reaches syslog" wait_true "grep -q 'daemon.err vserver\[[0-9]*\]: \
t60h: its start after its reboot was cut short at apps/init/restart-timeout (10 s)' $t/syslog" 40
check_eq "t60h stays down" "" "$(running t60h)"
check "its rc is gone" wait_true \
	"! cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -q '[s]leep 100067'" 10
check_clean "t60h left nothing after its cut restart" t60h 611

# --- syslog, facility daemon ---
check_match "starts reach syslog as daemon.info" \
	'daemon\.info start-vservers\[[0-9]+\]: t60db: started' "$(cat $t/syslog)"
check_match "failures reach syslog as daemon.err" \
	'daemon\.err start-vservers\[[0-9]+\]: t60web: start failed \(exit status 255\)' "$(cat $t/syslog)"
check_match "the cycle reaches syslog" \
	'daemon\.err start-vservers\[[0-9]+\]: dependency cycle: t60cyc1 -> t60cyc2 -> t60cyc1' "$(cat $t/syslog)"
kill $syslogd_pid
wait $syslogd_pid 2>/dev/null
rm -f /dev/log

for g in $all; do
	check_clean "${g%:*} left nothing" ${g%:*} ${g#*:}
	vserver "${g%:*}" delete --force >/dev/null 2>&1
done
rm -rf $t
t_done
