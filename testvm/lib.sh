# Helpers for the VM tests (busybox sh).  A test prints one line per
# check, "ok - what" or "not ok - what: why"; it should also exit non-zero
# when a check failed, which t_done does.
t_failures=0

t_pass() { echo "ok - $1"; }
t_fail() { echo "not ok - $1: $2"; t_failures=$((t_failures + 1)); }

# check WHAT CMD...: passes when CMD succeeds.
check() {
	local what=$1 out; shift
	if out=$("$@" 2>&1); then t_pass "$what"; else t_fail "$what" "'$*' failed: $out"; fi
}

# check_fails WHAT CMD...: passes when CMD fails.
check_fails() {
	local what=$1 out; shift
	if out=$("$@" 2>&1); then t_fail "$what" "'$*' succeeded: $out"; else t_pass "$what"; fi
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "expected '$2', got '$3'"; fi
}

# check_match WHAT PATTERN TEXT: passes when TEXT contains PATTERN (grep -E).
check_match() {
	if echo "$3" | grep -qE -- "$2"; then t_pass "$1"; else t_fail "$1" "'$3' lacks /$2/"; fi
}

# wait_gone PATH [SECONDS]: waits for PATH to disappear; fails on time-out.
wait_gone() {
	local i=0 limit=$((${2:-5} * 10))
	while [ -e "$1" ]; do
		[ $i -ge $limit ] && return 1
		i=$((i + 1)); sleep 0.1
	done
}

# wait_exists PATH [SECONDS]
wait_exists() {
	local i=0 limit=$((${2:-5} * 10))
	while [ ! -e "$1" ]; do
		[ $i -ge $limit ] && return 1
		i=$((i + 1)); sleep 0.1
	done
}

# wait_for_tasks XID COUNT [SECONDS]: waits for context XID to count COUNT tasks.
wait_for_tasks() {
	local i=0 limit=$((${3:-5} * 10))
	until grep -qx "Tasks:	$2" "/proc/virtual/$1/info" 2>/dev/null; do
		[ $i -ge $limit ] && return 1
		i=$((i + 1)); sleep 0.1
	done
}

# pid_of TEXT: the pid of the process whose command line is exactly TEXT
# (busybox has no pgrep).
pid_of() {
	local dir
	for dir in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null)" = "$1 " ] && echo "${dir#/proc/}" && return
	done
}

# wait_true SHELL-CONDITION [SECONDS]: waits for the condition to hold.
wait_true() {
	local i=0 limit=$((${2:-5} * 10))
	until eval "$1"; do
		[ $i -ge $limit ] && return 1
		i=$((i + 1)); sleep 0.1
	done
}

# relay_checks WHAT COUNT: passes on the check lines of a probe's output on
# stdin, counting its failures as ours; fails unless exactly COUNT came.
relay_checks() {
	local line n=0
	while IFS= read -r line; do
		case $line in
		"ok - "*) echo "$line"; n=$((n + 1)) ;;
		"not ok - "*) echo "$line"; n=$((n + 1)); t_failures=$((t_failures + 1)) ;;
		*) echo "# $line" ;;
		esac
	done
	check_eq "$1: $2 checks reported" "$2" "$n"
}

t_done() { [ "$t_failures" -eq 0 ]; exit; }

# --- guests (vserver NAME ...) ---

# busybox_root DIR: fills DIR with a busybox userland (static busybox).
busybox_root() {
	mkdir -p "$1/bin" "$1/sbin" "$1/etc/init.d" "$1/tmp" "$1/proc" "$1/dev/pts" "$1/root"
	cp /bin/busybox "$1/bin/busybox"
	for applet in sh sleep echo cat ls ps kill pidof hostname id grep reboot halt poweroff test \
		mount touch rm mkdir sync init wc tr stat tty; do
		ln -sf busybox "$1/bin/$applet"
	done
	ln -sf ../bin/busybox "$1/sbin/init"
	printf 'root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1000:web:/tmp:/bin/sh\n' >"$1/etc/passwd"
	printf 'root:x:0:\nweb:x:1000:\nstaff:x:50:web\n' >"$1/etc/group"
}

# sysv_rc DIR [chatty]: an /etc/init.d/rc that starts one daemon at
# runlevel 3, saying so, and stops it at runlevel 6, saying so too and
# recording what its standard streams give it in /etc/rc6.streams, logging to
# /etc/rc.log in the guest (not /tmp: fstab puts a tmpfs there).  At both
# runlevels it also prints /etc/rc.says if there is one.  With
# "chatty", runlevel 3 also leaves /bin/chatty writing 64 KiB (a pipe's
# worth) a second to the output it inherited, counting the rounds it got
# through in /var/chatty.count.
sysv_rc() {
	cat >"$1/etc/init.d/rc" <<'RC'
#!/bin/sh
echo "rc $1 RUNLEVEL=$RUNLEVEL PREVLEVEL=$PREVLEVEL" >>/etc/rc.log
case "$1" in
3)	echo "Starting the daemon: sleep 100003."
	setsid sleep 100003 </dev/null >/dev/null 2>&1 &
	[ -x /bin/chatty ] && setsid /bin/chatty &
	;;
6)	echo "Stopping the daemon."
	streams=$(if read -r _; then printf 'input '; else printf 'eof '; fi
		for fd in 1 2; do readlink /proc/$$/fd/$fd; done | sed 's/:.*//' | tr '\n' ' ')
	echo "$streams" >/etc/rc6.streams
	kill $(pidof sleep)
	sleep 1
	echo "rc 6 finished" >>/etc/rc.log
	;;
esac
[ -f /etc/rc.says ] && cat /etc/rc.says
RC
	chmod 755 "$1/etc/init.d/rc"
	if [ "$2" = chatty ]; then
		cat >"$1/bin/chatty" <<'CHATTY'
#!/bin/sh
n=0
while :; do
	head -c 65536 /dev/zero
	n=$((n + 1))
	echo $n >/var/chatty.count
	sleep 1
done
CHATTY
		chmod 755 "$1/bin/chatty"
	fi
}

# host_is_clean NAME XID: nothing of guest NAME is left on the host.
host_is_clean() {
	local leftovers=""
	grep -q " /vservers/$1[ /]" /proc/mounts && leftovers="$leftovers mounts"
	[ -e "/sys/fs/cgroup/vserver/$1" ] && leftovers="$leftovers cgroup"
	[ -e "/proc/virtual/$2" ] && leftovers="$leftovers context"
	[ -e "/run/vservers/$1" ] && leftovers="$leftovers run-file"
	[ -z "$leftovers" ] || { echo "left behind:$leftovers"; return 1; }
}

# check_clean WHAT NAME XID: waits a little for guest NAME to be gone.
check_clean() {
	if wait_true "host_is_clean $2 $3 >/dev/null" 10; then t_pass "$1"; else
		t_fail "$1" "$(host_is_clean "$2" "$3")"; fi
}

# init_pid NAME: the host pid of guest NAME's init, from its run file.
init_pid() { sed -n 2p "/run/vservers/$1" 2>/dev/null; }
# restarted NAME PID: whether guest NAME runs again, with an init other than
# PID.  The run file is read once: a restart removes it and writes it anew,
# and two reads could straddle the removal.
restarted() { local pid; pid=$(init_pid "$1"); [ -n "$pid" ] && [ "$pid" != "$2" ]; }

# slow_pre_start NAME SECONDS: gives guest NAME a pre-start hook that
# touches /tmp/NAME-hook.started and then sleeps, so that a test can act
# on a start caught halfway (the hook runs once the start has set up the
# host side, before the guest's context exists).
slow_pre_start() {
	mkdir -p "/etc/vservers/$1/scripts"
	printf '#!/bin/sh\ntouch /tmp/%s-hook.started\nsleep %s\n' "$1" "$2" \
		>"/etc/vservers/$1/scripts/pre-start"
	chmod 755 "/etc/vservers/$1/scripts/pre-start"
	rm -f "/tmp/$1-hook.started"
}

# make_guest NAME XID [BUILD-OPTION...]: a busybox guest with the sysv rc.
make_guest() {
	local name=$1 xid=$2; shift 2
	vserver "$name" build -m skeleton --context "$xid" "$@" \
		-- sh -c ". /testvm/lib.sh && busybox_root . && sysv_rc ."
}
