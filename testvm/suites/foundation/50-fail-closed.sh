# Without the module the LSM fails closed: a task left in the spectator
# context is refused every decision the module would make (it cannot even
# open a file), while the host keeps its own privileges.
. /testvm/lib.sh

mkfifo /tmp/go
# vstest is exec'd before the module goes and waits for "go" on its stdin.
(read go </tmp/go; echo go) | setsid vcontext --migrate --xid 1 -- vstest fail-closed \
	>/tmp/spectator.out 2>&1 &
spectator=$!
check "the probe is running in the spectator" wait_true 'grep -q ready /tmp/spectator.out' 30
check_eq "the spectator does not pin the module" OK "$(vstest delete-module vserver)"
echo go >/tmp/go
wait "$spectator"
relay_checks "the fail-closed probe" 2 </tmp/spectator.out
check_eq "the hostname is unchanged" testvm "$(hostname)"
check "the host keeps its privileges without the module" hostname testvm
check "the module loads again" insmod /testvm/vserver.ko
rm -f /tmp/go /tmp/spectator.out

t_done
