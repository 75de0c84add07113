# The module holds a reference while any context lives, so it cannot be
# unloaded until the last context has ended; then it can.
. /testvm/lib.sh

# wait_refcnt N: waits for the module's reference count to become N.
wait_refcnt() {
	local i=0
	while [ "$(cat /sys/module/vserver/refcnt)" != "$1" ]; do
		[ $i -ge 50 ] && return 1
		i=$((i + 1)); sleep 0.1
	done
}

setsid vcontext --create --xid 50 -- sleep 1000 &
first=$!
setsid vcontext --create --xid 51 -- sleep 1000 &
second=$!
check "contexts 50 and 51 live" wait_exists /proc/virtual/51/info
wait_exists /proc/virtual/50/info
check_eq "each live context holds a module reference" 2 "$(cat /sys/module/vserver/refcnt)"
# The kernel says EWOULDBLOCK (== EAGAIN) for a module in use; kmod's
# rmmod reports it as "Module vserver is in use".
check_eq "unloading is refused while contexts live" EAGAIN "$(vstest delete-module vserver)"
check "the module is still loaded" grep -q '^vserver ' /proc/modules
check "its contexts are intact" test -e /proc/virtual/50/info

kill -KILL "$first"; wait "$first"
check "context 50 ended" wait_gone /proc/virtual/50
check "one reference is left" wait_refcnt 1
check_eq "unloading is still refused while context 51 lives" EAGAIN \
	"$(vstest delete-module vserver)"

kill -KILL "$second"; wait "$second"
check "context 51 ended" wait_gone /proc/virtual/51
check "no reference is left" wait_refcnt 0
check_eq "the module unloads once no context lives" OK "$(vstest delete-module vserver)"
check_fails "/proc/virtual went with it" test -e /proc/virtual
check "the module loads again" insmod /testvm/vserver.ko
check_eq "and works" 52 "$(vcontext --create --xid 52 -- vserver-info self XID)"

t_done
