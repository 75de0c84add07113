# Issue 9: warnings for settings not applied and a stop racing a reboot
# restart (19); removal by descriptors, build --force asking the kernel,
# delete inside the vdir base (16).
. /testvm/lib.sh

check "build f2" make_guest f2 232
check "build f3" make_guest f3 233

# 19: settings not applied yet are named at start, one line each.
# interfaces/, nflags (guests/70-network) and spaces/net (guests/72-netns)
# are applied now, and so are the cgroup-backed rlimits such as nproc and
# the counted ones such as nofile and locks (guests/75-limits): memlock
# is not.
mkdir -p /etc/vservers/f2/rlimits
echo 100 >/etc/vservers/f2/rlimits/memlock
out=$(vserver f2 start 2>&1)
check_eq "a guest with settings not applied still starts" 0 "$?"
check_eq "with one warning per setting" 1 "$(echo "$out" | grep -c 'warning: .* not applied yet')"
check_match "naming rlimits/ and the limit" \
	"f2: warning: /etc/vservers/f2/rlimits: 1 limit \(memlock\) not applied yet" "$out"
check "stop f2" vserver f2 stop
rm -r /etc/vservers/f2/rlimits
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
check "start f3" vserver f3 start
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
# Two chains of 25 directories, each path under PATH_MAX, one moved into
# the other: 50 levels of 101 characters (busybox cd cannot go that deep).
name=dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
chain=$name
i=1
while [ $i -lt 25 ]; do chain="$chain/$name"; i=$((i + 1)); done
mkdir -p "/vservers/f2/deep/$chain" "/vservers/f2/upper/$chain"
touch "/vservers/f2/upper/$chain/bottom"
mv /vservers/f2/upper "/vservers/f2/deep/$chain/"
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

check "delete f3" vserver f3 delete --force
check "delete f4" vserver f4 delete --force
rm -rf /tmp/hostkeep
t_done
