# Issue 9: one name and one context id per guest directory (15); exit
# events kept apart from replies (14).
. /testvm/lib.sh

check "build f1" make_guest f1 231
check "build f2" make_guest f2 232
check "build f3" make_guest f3 233
check "start f1" vserver f1 start

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

check "delete f1" vserver f1 delete --force
check "delete f2" vserver f2 delete --force
check "delete f3" vserver f3 delete --force
t_done
