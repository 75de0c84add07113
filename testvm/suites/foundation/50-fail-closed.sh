# Without the module the LSM fails closed: a task left in the spectator
# context is refused every privilege, while the host keeps its own.
. /testvm/lib.sh

mkfifo /tmp/go
setsid vcontext --migrate --xid 1 -- sh -c '
	read go </tmp/go
	hostname from-spectator 2>/dev/null; echo "hostname-rc=$?" >/tmp/spectator.out
' &
spectator=$!
sleep 0.5
check_eq "the spectator does not pin the module" OK "$(vstest delete-module vserver)"
echo go >/tmp/go
wait "$spectator"
check_eq "with no module, the spectator's CAP_SYS_ADMIN is refused" "hostname-rc=1" \
	"$(cat /tmp/spectator.out)"
check_eq "the hostname is unchanged" testvm "$(hostname)"
check "the host keeps its privileges without the module" hostname testvm
check "the module loads again" insmod /testvm/vserver.ko
rm -f /tmp/go /tmp/spectator.out

t_done
