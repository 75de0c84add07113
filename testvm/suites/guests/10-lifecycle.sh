# Two busybox guests from build to delete: alpha built with skeleton (sysv
# style, an rc script), beta with template (plain style: busybox init as
# its pid 1).  Started, entered, exec'd into, shown, stopped, deleted.
. /testvm/lib.sh

# The template: a busybox root with an inittab, as a tarball with its hash.
rm -rf /tmp/tpl && busybox_root /tmp/tpl
printf '::sysinit:/bin/touch /tmp/booted\n::respawn:/bin/sleep 100004\n' >/tmp/tpl/etc/inittab
tar -czf /tmp/beta.tar.gz -C /tmp/tpl .
sum=$(sha256sum /tmp/beta.tar.gz | cut -d' ' -f1)

check "build alpha (skeleton)" vserver alpha build -m skeleton --context 201 --hostname alpha.example \
	-- sh -c ". /testvm/lib.sh && busybox_root . && sysv_rc . chatty"
check "build beta (template, sha256 checked)" vserver beta build -m template --context 202 \
	--initstyle plain -- -t /tmp/beta.tar.gz --sha256 "$sum"
check "alpha's config names its context" grep -qx 201 /etc/vservers/alpha/context
check_eq "alpha's vdir link" /vservers/alpha "$(readlink /etc/vservers/alpha/vdir)"
check "alpha's root has /dev/null as a device" test -c /vservers/alpha/dev/null
check "beta's root came from the template" test -f /vservers/beta/etc/inittab
check "alpha got a default fstab" grep -q '^proc */proc' /etc/vservers/alpha/fstab

check_eq "alpha is stopped before start (status 3)" 3 "$(vserver alpha status >/dev/null; echo $?)"
start_out=$(vserver alpha start 2>&1)
check_eq "start alpha" 0 "$?"
check_match "start shows what the rc printed" "^Starting the daemon: sleep 100003.$" "$start_out"
check "start beta" vserver beta start
check "alpha is running" vserver alpha running
check_match "alpha's status names its context" "running at context '201'" "$(vserver alpha status)"
check_match "beta's status counts its processes" "Number of processes: [1-9]" "$(vserver beta status)"

check_eq "start returned after alpha's rc ran at runlevel 3" "rc 3 RUNLEVEL=3 PREVLEVEL=N" \
	"$(cat /vservers/alpha/etc/rc.log)"
chatty=$(pid_of "/bin/sh /bin/chatty")
check "the rc's chatty daemon runs" test -n "$chatty"
check "and goes on writing to the output it was left, more than a pipe holds" \
	wait_true '[ "$(cat /vservers/alpha/var/chatty.count 2>/dev/null || echo 0)" -ge 4 ]' 20
output_pipe=$(readlink "/proc/$chatty/fd/1")
check_match "that output is a pipe" "^pipe:" "$output_pipe"
check "the guest's pid 1 drains it, at the guest's cost" \
	sh -c "ls -l /proc/$(init_pid alpha)/fd | grep -qF '$output_pipe'"
check "the host-side monitor no longer holds it" \
	sh -c "! ls -l /proc/$(sed -n 3p /run/vservers/alpha)/fd | grep -qF '$output_pipe'"
check_eq "alpha's pid 1 shows as init" "init" "$(vserver alpha exec cat /proc/1/cmdline | tr -d '\0')"
check_eq "and is named init" "init" "$(vserver alpha exec cat /proc/1/comm)"
sigign=$(sed -n 's/^SigIgn:\t*//p' "/proc/$chatty/status")
check_eq "the guest does not inherit an ignored SIGPIPE" 0 "$((0x$sigign & 0x1000))"
check "beta's busybox init ran its sysinit" wait_true "vserver beta exec test -e /tmp/booted" 10
check_eq "beta's init is its pid 1" init "$(vserver beta exec cat /proc/1/comm)"
check_eq "alpha's nodename" alpha.example "$(vserver alpha exec hostname)"
check_eq "beta's nodename defaults to its name" beta "$(vserver beta exec hostname)"
check_eq "the host's nodename is untouched" testvm "$(hostname)"
vserver alpha exec sleep 1201 &
exec_job=$!
check "exec'd command runs" wait_true '[ -n "$(pid_of "sleep 1201")" ]'
check_eq "exec runs in the guest's context" 201 "$(vserver-info "$(pid_of "sleep 1201")" XID)"
kill "$(pid_of "sleep 1201")"; wait "$exec_job"
check_eq "exec passes the exit status on" 7 "$(vserver alpha exec sh -c 'exit 7'; echo $?)"
check_eq "enter runs the shell on piped commands" "alpha.example" \
	"$(echo hostname | vserver alpha enter 2>&1 | tr -d '\r')"
printf 'sleep 1202\n' | vserver alpha enter &
enter_job=$!
check "entered shell runs" wait_true '[ -n "$(pid_of "sleep 1202")" ]'
check_eq "enter runs in the guest's context" 201 "$(vserver-info "$(pid_of "sleep 1202")" XID)"
kill "$(pid_of "sleep 1202")"; wait "$enter_job"
# From a terminal: the shell gets a new terminal of its own, never the
# caller's, from the guest's devpts, so the guest can name it.
term_out=$(printf 'tty\nstat -L -c "inode %%d:%%i" /proc/self/fd/0\nexit\n' |
	vstest on-terminal vserver alpha enter 2>&1 | tr -d '\r')
echo "$term_out" | sed 's/^/# /'
caller_tty=$(echo "$term_out" | sed -n 's/^# caller terminal //p')
guest_tty=$(echo "$term_out" | sed -n 's/^inode \([0-9]*:[0-9]*\)$/\1/p')
check_match "enter from a terminal gives the shell the guest's /dev/pts/N" "^/dev/pts/[0-9]+$" \
	"$(echo "$term_out" | grep '^/dev/')"
check "a new terminal, not the caller's ($caller_tty)" \
	test -n "$caller_tty" -a -n "$guest_tty" -a "$guest_tty" != "$caller_tty"
# A job the guest leaves on the shell's terminal must not keep enter
# relaying the caller's keystrokes to it once the shell has exited: the
# caller's terminal would stay raw, and what they type next (a host
# password) would go to the guest.
printf '(trap "" HUP; exec sleep 1203) &\nexit\n' |
	vstest on-terminal vserver alpha enter >/tmp/enter-left.out 2>&1 &
left_job=$!
check "a job left on the entered shell's terminal runs" wait_true '[ -n "$(pid_of "sleep 1203")" ]' 20
check "enter returns once the shell exits, though the job holds the terminal" \
	wait_true "! kill -0 $left_job 2>/dev/null" 20
check "control: the job still holds the guest's terminal" \
	sh -c "ls -l /proc/$(pid_of "sleep 1203")/fd/1 | grep -q pts/"
kill "$(pid_of "sleep 1203")"; kill "$left_job" 2>/dev/null; wait "$left_job"
# exec with the caller's terminal as input but not as output gets no pty:
# the command must still not get that terminal as its controlling one.
ctty_probe='(exec 3</dev/tty) 2>/dev/null && echo has-ctty || echo no-ctty'
check_eq "exec reading the caller's terminal does not control it" "no-ctty" \
	"$(vstest on-terminal sh -c "vserver alpha exec sh -c '$ctty_probe' | cat" </dev/null 2>&1 |
		tr -d '\r' | grep ctty)"
check_eq "suexec runs as the guest's user" "1000 1000 1000 50" \
	"$(vserver alpha suexec web sh -c 'echo $(id -u) $(id -g) $(id -G)')"
check_match "suexec of an unknown user fails clearly" "no user 'nobody' in the guest" \
	"$(vserver alpha suexec nobody true 2>&1)"
check_eq "the guest does not see the host's processes" "" \
	"$(vserver alpha exec sh -c 'cat /proc/[0-9]*/cmdline' | tr '\0' ' ' | grep -o /init)"
check_eq "the guest's pid 1 is in its PID namespace" "1" \
	"$(vserver alpha exec sh -c 'ls -d /proc/1 | wc -l')"
check "the guest is in its own cgroup" grep -qx "0::/vserver/alpha" \
	"/proc/$(init_pid alpha)/cgroup"
check "the host sees no mount of the guest" sh -c "! grep -q /vservers/alpha /proc/mounts"

stat_out=$(vserver-stat 2>&1)
echo "$stat_out" | sed 's/^/# /'
check_match "vserver-stat shows alpha" "^201 +[0-9]+ .* alpha$" "$stat_out"
check_match "vserver-stat shows beta" "^202 +[0-9]+ .* beta$" "$stat_out"
check_match "vserver-stat --json has alpha" '"name": *"alpha"' "$(vserver-stat --json 2>&1)"
vps_out=$(vps -o pid,args 2>&1)
check_match "vps names alpha's daemon" " alpha +sleep 100003" "$vps_out"
check_match "vps names beta's init" " beta +init" "$vps_out"

check "stop alpha" vserver alpha stop
check_eq "alpha's rc ran at runlevel 6 on stop, to its end" \
	"rc 6 RUNLEVEL=6 PREVLEVEL=3 rc 6 finished" "$(tail -n 2 /vservers/alpha/etc/rc.log | tr '\n' ' ' | sed 's/ $//')"
check_eq "alpha is stopped (status 3)" 3 "$(vserver alpha status >/dev/null; echo $?)"
check_clean "alpha left nothing behind" alpha 201
check "stop beta" vserver beta stop
check_clean "beta left nothing behind" beta 202
check "stop of a stopped guest succeeds" vserver beta stop

check "restart works from stopped" vserver alpha restart
check "alpha runs after restart" vserver alpha running
check "condrestart restarts a running guest" vserver alpha condrestart
check "condrestart leaves a stopped guest" vserver beta condrestart
check_fails "beta is still stopped" vserver beta running
check "delete alpha (forced, running)" vserver alpha delete --force
check "alpha's root is gone" sh -c "! test -e /vservers/alpha"
check "alpha's config is gone" sh -c "! test -e /etc/vservers/alpha"
check_clean "deleting left nothing of alpha" alpha 201
check_fails "delete asks and refuses without yes" sh -c "echo n | vserver beta delete"
check "beta survived the refusal" test -d /vservers/beta
check "delete beta after yes" sh -c "echo y | vserver beta delete"
check "beta's root is gone" sh -c "! test -e /vservers/beta"
t_done
