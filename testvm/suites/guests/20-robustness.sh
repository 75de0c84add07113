# Starts that go wrong leave the host clean, and the next start or stop
# works: concurrent starts, a context id in use, a failing hook, a missing
# root, a bad capability name, a start killed midway; and a guest that
# ignores SIGTERM is still stopped by the kill sequence.
. /testvm/lib.sh

check "build g1" make_guest g1 211
check "build g2" make_guest g2 212

# Two starts at once: one guest, and one clear "already running".
vserver g1 start >/tmp/start1.out 2>&1 & first=$!
vserver g1 start >/tmp/start2.out 2>&1 & second=$!
wait $first; status1=$?
wait $second; status2=$?
check_eq "both concurrent starts succeed" "0 0" "$status1 $status2"
check_match "one of them says the guest already runs" "g1 is already running at context 211" \
	"$(cat /tmp/start1.out /tmp/start2.out)"
check_eq "the guest's rc ran once" 1 "$(vserver g1 exec cat /etc/rc.log | wc -l)"
check "g1 is running" vserver g1 running

# The same context id for a second guest.
echo 211 >/etc/vservers/g2/context
out=$(vserver g2 start 2>&1); status=$?
check_eq "a second guest on context 211 fails" 1 "$([ $status -ne 0 ] && echo 1)"
check_match "and says who holds it" "context 211 is also the context of /etc/vservers/g1" "$out"
check_clean "it left nothing behind" g2 99999
check "g1 is unaffected" vserver g1 running
echo 212 >/etc/vservers/g2/context

# A failing pre-start hook.
mkdir -p /etc/vservers/g2/scripts
printf '#!/bin/sh\necho "hook $1 $2 in $(pwd)" >/tmp/hook.log\nexit 3\n' >/etc/vservers/g2/scripts/pre-start
chmod 755 /etc/vservers/g2/scripts/pre-start
out=$(vserver g2 start 2>&1); status=$?
check_match "a failing pre-start hook fails the start" "pre-start hook .*/scripts/pre-start failed \(exit status 3\)" "$out"
check_eq "the start exits non-zero" 1 "$([ $status -ne 0 ] && echo 1)"
check_eq "the hook ran with phase and name, in the guest root" "hook pre-start g2 in /vservers/g2" \
	"$(cat /tmp/hook.log)"
check_clean "the failed start left nothing behind" g2 212
rm /etc/vservers/g2/scripts/pre-start
check "the next start works" vserver g2 start
check "and the stop" vserver g2 stop
check_clean "g2 is clean after stop" g2 212

# A missing root.
mv /vservers/g2 /vservers/g2.away
check_match "a missing root fails clearly" "the guest root /vservers/g2 does not exist" \
	"$(vserver g2 start 2>&1)"
check_clean "nothing left after a missing root" g2 212
mv /vservers/g2.away /vservers/g2

# A bad capability name: nothing starts.
echo CAP_BOGUS >/etc/vservers/g2/bcapabilities
check_match "a bad capability name fails with file and line" \
	"/etc/vservers/g2/bcapabilities:1: .*CAP_BOGUS" "$(vserver g2 start 2>&1)"
check_clean "nothing left after a bad capability" g2 212
rm /etc/vservers/g2/bcapabilities

# A start killed while its pre-start hook runs.
printf '#!/bin/sh\ntouch /tmp/hook.started\nsleep 30\n' >/etc/vservers/g2/scripts/pre-start
chmod 755 /etc/vservers/g2/scripts/pre-start
rm -f /tmp/hook.started
vserver g2 start >/dev/null 2>&1 & starter=$!
check "the slow hook started" wait_exists /tmp/hook.started 10
kill -9 $starter; wait $starter
check_clean "the killed start left nothing behind" g2 212
check_eq "the hook's sleep was killed with it" "" "$(pid_of "sleep 30")"
rm /etc/vservers/g2/scripts/pre-start
check "a start after the killed one works" vserver g2 start
check "and the stop" vserver g2 stop
check_clean "g2 is clean" g2 212

# A start command that fails: said so, and the guest runs as it left it.
mkdir -p /etc/vservers/g2/apps/init
printf '/bin/sh\n-c\nsetsid sleep 1214 </dev/null >/dev/null 2>&1 & exit 3\n' \
	>/etc/vservers/g2/apps/init/cmd.start
start_out=$(vserver g2 start 2>&1)
check_eq "a failing start command still starts" "0" "$?"
check_match "and says how it ended" "g2: the start command ended with exit status 3" "$start_out"
check "what it started runs" wait_true '[ -n "$(pid_of "sleep 1214")" ]'
check "the stop" vserver g2 stop
rm /etc/vservers/g2/apps/init/cmd.start
check_clean "g2 is clean again" g2 212

# A persistent guest whose start fails leaves no context behind.
echo persistent >/etc/vservers/g2/cflags
printf '/bin/no-such-command\n' >/etc/vservers/g2/apps/init/cmd.start
check_match "a persistent guest's failing start command fails the start" "no-such-command" \
	"$(vserver g2 start 2>&1)"
check_clean "and leaves no context" g2 212
rm /etc/vservers/g2/apps/init/cmd.start
printf '#!/bin/sh\nexit 1\n' >/etc/vservers/g2/scripts/post-start
chmod 755 /etc/vservers/g2/scripts/post-start
check_match "a failing post-start hook stops a persistent guest again" "stopped again" \
	"$(vserver g2 start 2>&1)"
check_clean "and leaves no context" g2 212
rm /etc/vservers/g2/scripts/post-start /etc/vservers/g2/cflags

# A configuration broken while the guest runs does not keep it running.
check "start g2 once more" vserver g2 start
echo CAP_BROKEN >/etc/vservers/g2/bcapabilities
stop_out=$(vserver g2 stop 2>&1)
check_eq "stop with a broken config still stops" "0" "$?"
check_match "and names the broken file" "/etc/vservers/g2/bcapabilities:1: .*CAP_BROKEN" "$stop_out"
check_clean "that stop left nothing behind" g2 212
check_match "while a start refuses the broken config" "bcapabilities:1" "$(vserver g2 start 2>&1)"
rm /etc/vservers/g2/bcapabilities

# A guest that ignores SIGTERM, with a short kill sequence.
echo "TERM 2 KILL" >/etc/vservers/g1/apps/init/killseq 2>/dev/null ||
	{ mkdir -p /etc/vservers/g1/apps/init && echo "TERM 2 KILL" >/etc/vservers/g1/apps/init/killseq; }
vserver g1 exec sh -c 'trap "" TERM; setsid sh -c "trap \"\" TERM; sleep 1213" </dev/null >/dev/null 2>&1 &'
check "the stubborn process runs" wait_true '[ -n "$(pid_of "sleep 1213")" ]'
start_s=$(cut -d. -f1 /proc/uptime)
check "stop ends a guest that ignores SIGTERM" vserver g1 stop
took=$(( $(cut -d. -f1 /proc/uptime) - start_s ))
check "within the kill sequence ($took s)" test "$took" -le 12
check_eq "the stubborn process is gone" "" "$(pid_of "sleep 1213")"
check_clean "g1 is clean" g1 211

# Without SYS_PTRACE, the guest's root cannot look into its pid 1, which
# is ours.  And the guest's account files are the guest's: a FIFO there
# must not hang suexec.
echo '~SYS_PTRACE' >/etc/vservers/g1/bcapabilities
check "start g1 without SYS_PTRACE" vserver g1 start
check_fails "the guest cannot read its pid 1's executable link" vserver g1 exec readlink /proc/1/exe
check_fails "nor its environment" vserver g1 exec cat /proc/1/environ
check "but sees it" vserver g1 exec test -d /proc/1
mv /vservers/g1/etc/group /vservers/g1/etc/group.real
mkfifo /vservers/g1/etc/group
check_match "suexec refuses a FIFO as /etc/group, without waiting on it" \
	"the guest's /etc/group is not a regular file" "$(timeout 10 vserver g1 suexec web true 2>&1)"
rm /vservers/g1/etc/group
mv /vservers/g1/etc/group.real /vservers/g1/etc/group
check "stop g1 after suexec" vserver g1 stop
rm /etc/vservers/g1/bcapabilities

# A build cut short by a signal (Ctrl-C) is undone; --force puts the old
# guest back.  The method's command sends vserver the signal mid-build.
interrupt='kill -INT $PPID; sleep 1'
out=$(vserver g3 build -m skeleton --context 213 -- sh -c "$interrupt" 2>&1); status=$?
check_eq "an interrupted build exits 128 + SIGINT" 130 "$status"
check_match "and says it was undone" "the build of g3 was undone \(interrupted by SIGINT\)" "$out"
check "it left no config" sh -c "! test -e /etc/vservers/g3"
check "it left no root" sh -c "! test -e /vservers/g3"
touch /vservers/g1/marker
out=$(vserver g1 build --force -m skeleton --context 211 -- sh -c "$interrupt" 2>&1); status=$?
check_eq "an interrupted build --force fails" 130 "$status"
check "g1's old root is back" test -e /vservers/g1/marker
check "g1's old config is back" grep -qx 211 /etc/vservers/g1/context
check_eq "nothing is left set aside" "" "$(ls /etc/vservers /vservers | grep '~')"
check "g1 still starts" vserver g1 start
check "and stops" vserver g1 stop

# delete never removes a vdir that holds other guests.
mkdir -p /etc/vservers/wrong /srv/roots/inner
echo 219 >/etc/vservers/wrong/context
ln -s /vservers /etc/vservers/wrong/vdir
check_match "delete refuses a vdir that is the vdir base" \
	"refusing to delete the guest root /vservers: it holds /vservers" \
	"$(vserver wrong delete --force 2>&1)"
mkdir -p /etc/vservers/.defaults
ln -s /srv/roots /etc/vservers/.defaults/vdirbase
rm /etc/vservers/wrong/vdir
ln -s /srv /etc/vservers/wrong/vdir
check_match "delete refuses a vdir holding the configured vdirbase" \
	"refusing to delete the guest root /srv: it holds /srv/roots" \
	"$(vserver wrong delete --force 2>&1)"
check "the guest roots are all there" test -d /srv/roots/inner -a -d /vservers/g1 -a -d /vservers/g2
rm /etc/vservers/.defaults/vdirbase
rm -r /etc/vservers/wrong /srv/roots

check "delete g1" vserver g1 delete --force
check "delete g2" vserver g2 delete --force
t_done
