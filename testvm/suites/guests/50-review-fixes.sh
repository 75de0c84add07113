# Issue 9, userland items: a fresh /dev and nodev (7), a cgroup namespace
# (6), no AUDIT_WRITE (11), exit events kept apart from replies (14),
# one name and one context id per guest directory (15),
# removal by descriptors and build --force asking the kernel (16),
# no host terminal or descriptor for guest code (17), fstab bind mounts
# (18), warnings for settings not applied and a stop racing a reboot
# restart (19).
. /testvm/lib.sh

check "build f1" make_guest f1 231
check "build f2" make_guest f2 232
check "build f3" make_guest f3 233

# 18: bind lines, read-only and read-write, a directory and a file.
mkdir -p /tmp/bindsrc /vservers/f1/mnt/ro /vservers/f1/mnt/rw
echo "from the host" >/tmp/bindsrc/data
echo "host file" >/tmp/bindfile
touch /vservers/f1/etc/bound.conf
cat >>/etc/vservers/f1/fstab <<'FSTAB'
/tmp/bindsrc /mnt/rw none bind 0 0
/tmp/bindsrc /mnt/ro none bind,ro 0 0
/tmp/bindfile /etc/bound.conf none bind,ro 0 0
FSTAB
check "a guest with bind lines in its fstab starts" vserver f1 start
check_eq "the read-write bind shows the host directory" "from the host" \
	"$(vserver f1 exec cat /mnt/rw/data)"
check "the guest writes through the read-write bind" vserver f1 exec sh -c 'echo guest >/mnt/rw/new'
check_eq "and the host sees it" guest "$(cat /tmp/bindsrc/new)"
check_eq "the read-only bind shows the same directory" "from the host" \
	"$(vserver f1 exec cat /mnt/ro/data)"
check_match "writing through the read-only bind fails with EROFS" "Read-only file system" \
	"$(vserver f1 exec sh -c 'echo x >/mnt/ro/data' 2>&1)"
check_eq "the file bind shows the host file" "host file" "$(vserver f1 exec cat /etc/bound.conf)"
check_match "the read-only file bind refuses writes with EROFS" "Read-only file system" \
	"$(vserver f1 exec sh -c 'echo x >/etc/bound.conf' 2>&1)"
check_match "the bind mounts are nodev, as every fstab line" "/mnt/ro .*nodev" \
	"$(vserver f1 exec cat /proc/mounts)"
check_eq "the host file is unchanged" "host file" "$(cat /tmp/bindfile)"

# 7: a fresh /dev holding only the allowed nodes, nodev everywhere else.
mknod /vservers/f1/dev/sda-host b 8 0
mknod /vservers/f1/root/console-host c 5 1
check_eq "the guest's /dev holds only the allowed nodes" "full null ptmx random tty urandom zero" \
	"$(vserver f1 exec sh -c 'for f in /dev/*; do [ -c $f -o -b $f ] && echo ${f#/dev/}; done' |
		sort | tr '\n' ' ' | sed 's/ $//')"
check "a node put into the root's dev/ is not in the guest's /dev" \
	vserver f1 exec sh -c '! test -e /dev/sda-host'
check_match "a node elsewhere in the root opens nothing (nodev: EACCES)" "Permission denied" \
	"$(vserver f1 exec cat /root/console-host 2>&1)"
check "control: the guest's /dev/null opens" vserver f1 exec sh -c 'echo x >/dev/null'
check_eq "control: its /dev/zero is the real one" "1:5" "$(vserver f1 exec stat -c %t:%T /dev/zero)"
check_match "the guest root is mounted nodev" " / [^ ]* [^ ]*nodev" "$(vserver f1 exec cat /proc/mounts)"
rm /vservers/f1/dev/sda-host /vservers/f1/root/console-host

# 6: a cgroup namespace rooted at the guest's own group.
check_eq "the guest sees its own cgroup as the root" "0::/" "$(vserver f1 exec cat /proc/self/cgroup)"
check "control: the host sees it at /vserver/f1" grep -qx "0::/vserver/f1" "/proc/$(init_pid f1)/cgroup"

# 11: no AUDIT_WRITE in a guest's default bounding set.
check "f1's context lacks AUDIT_WRITE" sh -c "! vattribute --xid 231 --get | grep -q AUDIT_WRITE"
check "control: it keeps the rest of the default (SYS_CHROOT)" \
	sh -c "vattribute --xid 231 --get | grep -q SYS_CHROOT"

# 17: standard error on a terminal, input or output not: no terminal for
# the guest, what it writes still reaches ours.
fds='for fd in 0 1 2; do test -t $fd && echo "tty$fd" >&2; done; echo "to-stderr" >&2; echo done'
out=$(vstest on-terminal sh -c "vserver f1 exec sh -c '$fds' </dev/null | cat >/dev/null" \
	</dev/null 2>&1 | tr -d '\r')
echo "$out" | sed 's/^/# /'
check_match "exec with only stderr on a terminal passes the errors on" "^to-stderr$" "$out"
check_eq "and gives the guest no terminal on any stream" "" "$(echo "$out" | grep '^tty')"
out=$(vstest on-terminal sh -c "vserver f1 exec sh -c '$fds' | cat >/dev/null" </dev/null 2>&1 |
	tr -d '\r')
check_eq "input and errors on a terminal, output piped: no terminal either" "" \
	"$(echo "$out" | grep '^tty')"
check_match "control: the errors still reach the terminal" "^to-stderr$" "$out"
# A descriptor the admin's shell left open is no business of the guest's.
vserver f1 exec sleep 1501 7</etc/hostname &
exec_job=$!
check "the exec'd command runs" wait_true '[ -n "$(pid_of "sleep 1501")" ]'
sleeper=$(pid_of "sleep 1501")
joiner=$(sed -n 's/^PPid:\t*//p' "/proc/$sleeper/status")
check_eq "the command holds only its three streams" "0 1 2" "$(ls "/proc/$sleeper/fd" | sort -n | tr '\n' ' ' | sed 's/ $//')"
check "the joining process does not hold the admin's fd 7" \
	sh -c "! ls -l /proc/$joiner/fd | grep -q /etc/hostname"
check "control: vserver itself was given it" \
	sh -c "ls -l /proc/\$(sed -n 's/^PPid:\t*//p' /proc/$joiner/status)/fd | grep -q /etc/hostname"
kill "$sleeper"; wait "$exec_job"

# 15: a second directory whose name file says f1 would share f1's lock,
# cgroup and run file: its stop would kill f1.
mkdir -p /etc/vservers/f1b
echo f1 >/etc/vservers/f1b/name
echo 235 >/etc/vservers/f1b/context
ln -s /vservers/f1 /etc/vservers/f1b/vdir
check_match "stop of a guest sharing f1's name is refused (EEXIST)" \
	"guest name 'f1' is also the name of /etc/vservers/f1: give one of them another \(name\)" \
	"$(vserver f1b stop 2>&1)"
check "and f1 still runs" vserver f1 running
check_match "so is its start" "guest name 'f1' is also the name of /etc/vservers/f1" \
	"$(vserver f1b start 2>&1)"
echo f1b >/etc/vservers/f1b/name
echo 231 >/etc/vservers/f1b/context
check_match "a start on f1's context id is refused naming f1's directory" \
	"context 231 is also the context of /etc/vservers/f1: give one of them another \(context\)" \
	"$(vserver f1b start 2>&1)"
rm -r /etc/vservers/f1b
check_match "a build on f1's context id is refused" "context 231 is already used by guest f1" \
	"$(vserver f5 build -m skeleton --context 231 2>&1)"
check "control: f1 itself is still managed" vserver f1 status

# 7: build drops device nodes a template brings outside /dev.
rm -rf /tmp/tpl7 && busybox_root /tmp/tpl7
mknod /tmp/tpl7/etc/hostdisk b 8 0
mknod /tmp/tpl7/dev/console c 5 1
tar -czf /tmp/t7.tar.gz -C /tmp/tpl7 .
out=$(vserver f6 build -m template --context 236 -- -t /tmp/t7.tar.gz 2>&1)
check_eq "a template with a host device still builds" 0 "$?"
check_match "with a warning naming the node" \
	"f6: warning: /vservers/f6/etc/hostdisk is a block device \(8:0\) outside /dev: not copied into the guest" "$out"
check "and without the node" sh -c "! test -e /vservers/f6/etc/hostdisk"
check "control: nodes in the root's dev/ stay (the guest never sees them)" test -c /vservers/f6/dev/console
check "delete f6" vserver f6 delete --force
rm -rf /tmp/tpl7 /tmp/t7.tar.gz

# 14: stops and waits while other guests' exits come in.
check "start f2" vserver f2 start
check "start f3" vserver f3 start
vwait 231 >/tmp/vwait.out 2>&1 & waiter=$!
vserver f2 stop >/tmp/stop2.out 2>&1 & s2=$!
vserver f3 stop >/tmp/stop3.out 2>&1 & s3=$!
wait $s2; st2=$?; wait $s3; st3=$?
check_eq "two stops at once both succeed" "0 0" "$st2 $st3"
check "vwait on f1 is still waiting after other guests exited" kill -0 $waiter
check "f1 still runs" vserver f1 running
check "stop f1" vserver f1 stop
wait $waiter
check_eq "vwait returned for f1's own exit" 0 "$?"
check_clean "f1 left nothing behind" f1 231

# 19: settings not applied yet are named at start, one line each.
mkdir -p /etc/vservers/f2/interfaces/0 /etc/vservers/f2/rlimits /etc/vservers/f2/spaces
echo 192.0.2.5 >/etc/vservers/f2/interfaces/0/ip
touch /etc/vservers/f2/interfaces/0/nodev
echo 100 >/etc/vservers/f2/rlimits/nproc
echo hide_netif >/etc/vservers/f2/nflags
touch /etc/vservers/f2/spaces/net
out=$(vserver f2 start 2>&1)
check_eq "a guest with settings not applied still starts" 0 "$?"
check_eq "with one warning per setting" 4 "$(echo "$out" | grep -c 'warning: .* not applied yet')"
check_match "naming interfaces/" "f2: warning: /etc/vservers/f2/interfaces: 1 address not applied yet" "$out"
check_match "naming spaces/net" "warning: /etc/vservers/f2/spaces/net: a network namespace" "$out"
check "stop f2" vserver f2 stop
rm -r /etc/vservers/f2/interfaces/0 /etc/vservers/f2/rlimits /etc/vservers/f2/nflags /etc/vservers/f2/spaces
check_eq "control: a plain guest starts without warnings" "" "$(vserver f2 start 2>&1 | grep warning)"
check "stop f2 again" vserver f2 stop

# 19: a stop right after the guest asked for a reboot leaves it stopped.
rm -rf /tmp/tpl && busybox_root /tmp/tpl
printf '::respawn:/bin/sleep 100006\n' >/tmp/tpl/etc/inittab
tar -czf /tmp/rr.tar.gz -C /tmp/tpl .
check "build f4 (plain init)" vserver f4 build -m template --context 234 --initstyle plain -- -t /tmp/rr.tar.gz
check "start f4" vserver f4 start
vserver f4 exec reboot -f >/dev/null 2>&1
check "stop racing the restart succeeds" vserver f4 stop
sleep 3
check_fails "f4 is stopped after the stop returned" vserver f4 running
check_clean "and left nothing behind" f4 234

# 16: build --force asks the kernel, not the run file.
check "start f3 again" vserver f3 start
rm /run/vservers/f3
check_match "build --force refuses a running guest without its run file" \
	"guest f3 is running \(context 233\); stop it before replacing it" \
	"$(vserver f3 build --force -m skeleton --context 233 2>&1)"
check "f3 still runs" vserver f3 running
check "stop f3 without its run file" vserver f3 stop
check_clean "f3 is clean" f3 233

# 16: delete removes a tree deeper than PATH_MAX and never follows a
# link out of it.
mkdir -p /tmp/hostkeep && echo keep >/tmp/hostkeep/file
ln -s /tmp/hostkeep /vservers/f2/escape
mkdir -p /vservers/f2/etc/swapped && ln -s /tmp/hostkeep /vservers/f2/etc/swapped/link
deep=/vservers/f2/deep
name=dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
(cd /vservers/f2 && mkdir deep && cd deep && i=0 && while [ $i -lt 50 ]; do mkdir $name && cd $name && i=$((i + 1)); done && touch bottom)
check "the guest's tree is deeper than PATH_MAX" test "$(( 50 * 101 ))" -gt 4096
check "delete --force removes it" vserver f2 delete --force
check "f2's root is gone" sh -c "! test -e /vservers/f2"
check "f2's config is gone" sh -c "! test -e /etc/vservers/f2"
check_eq "the host directory the links named is intact" keep "$(cat /tmp/hostkeep/file)"

# 16: delete stays inside the vdir base.
mkdir -p /etc/vservers/outside /srv/elsewhere/outside
echo 239 >/etc/vservers/outside/context
ln -s /srv/elsewhere/outside /etc/vservers/outside/vdir
check_match "delete refuses a root outside the vdir base" \
	"refusing to delete the guest root /srv/elsewhere/outside: it is not inside the vdir base /vservers" \
	"$(vserver outside delete --force 2>&1)"
check "and left it" test -d /srv/elsewhere/outside
rm -r /etc/vservers/outside /srv/elsewhere

check "delete f1" vserver f1 delete --force
check "delete f3" vserver f3 delete --force
check "delete f4" vserver f4 delete --force
rm -rf /tmp/bindsrc /tmp/bindfile /tmp/hostkeep
t_done
