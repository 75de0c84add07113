# Context flags and states: setup then sealed, persistent, locked; killing
# every task of a context at once; waiting for it to end with its reason.
. /testvm/lib.sh

# Setup state: the launcher configures its own context, then seals it.
out=$(vcontext --create --xid 120 --setup -- sh -c '
	vattribute --get | sed "s/^/before: /"
	vattribute --set --ccap namespace && echo "set-in-setup=ok"
	vattribute --set --flag ~state_setup && echo "seal=ok"
	vattribute --set --ccap syslog; echo "set-after-seal=$?"
	vattribute --set --flag state_setup; echo "unseal=$?"
	vattribute --get | sed "s/^/after: /"
' 2>&1)
echo "$out" | sed 's/^/# /'
check_match "a context created with --setup is in the setup state" "^before: flags: state_setup$" "$out"
check_match "in setup, the context changes its own policy" "^set-in-setup=ok$" "$out"
check_match "the context seals itself" "^seal=ok$" "$out"
check_match "after sealing it cannot change its policy" "^set-after-seal=255$" "$out"
check_match "after sealing it cannot unseal itself" "^unseal=255$" "$out"
check_match "the change made in setup stays" "^after: ccaps: namespace$" "$out"
check_match "the refusal says why" "Operation not permitted" "$out"
check_match "a sealed context keeps the default bounding set" "^after: bcaps: .*SYS_CHROOT" "$out"

# Persistent: the context outlives its tasks until the flag is cleared.
vcontext --create --xid 121 -- vattribute --set --flag persistent 2>/tmp/err
check_match "a sealed guest cannot make itself persistent" "Operation not permitted" "$(cat /tmp/err)"
setsid vcontext --create --xid 121 -- sleep 1000 &
holder=$!
check "context 121 is up" wait_exists /proc/virtual/121/info
check "the host makes context 121 persistent" vattribute --xid 121 --set --flag persistent
kill -KILL "$holder"; wait "$holder" 2>/dev/null
sleep 0.5
check "a persistent context lives with no tasks" test -e /proc/virtual/121/info
check_match "/proc/virtual shows it with 0 tasks" "Tasks:[[:space:]]+0" "$(cat /proc/virtual/121/info)"
check_eq "a task can join the empty persistent context" 121 \
	"$(vcontext --migrate --xid 121 -- vserver-info self XID)"
check "the host clears the flag" vattribute --xid 121 --set --flag ~persistent
check "the empty context then ends" wait_gone /proc/virtual/121

# Lock: no new task may join, the ones inside still fork.
setsid vcontext --create --xid 122 -- sleep 1000 &
holder=$!
check "context 122 is up" wait_exists /proc/virtual/122/info
check "the host locks context 122" vattribute --xid 122 --set --flag lock
check_fails "nothing may join a locked context" vcontext --migrate --xid 122 -- true
check_match "vattribute shows the lock" "^flags: lock$" "$(vattribute --xid 122 --get)"
check "the host unlocks it" vattribute --xid 122 --set --flag ~lock
check_eq "then a task may join again" 122 "$(vcontext --migrate --xid 122 -- vserver-info self XID)"
kill -KILL "$holder"; wait "$holder" 2>/dev/null
check "context 122 ended" wait_gone /proc/virtual/122

# vkill: every task of a context at once, or one of them.
# The shell waits, so a killed sleep is reaped (and uncounted) at once.
setsid vcontext --create --xid 123 -- sh -c 'sleep 1001 & sleep 1002 & wait' &
leader=$!
check "context 123 is up with three tasks" wait_for_tasks 123 3
check "its sleeps run" wait_true '[ -n "$(pid_of "sleep 1001")" ]'
check "vkill -s KILL of one process" vkill --xid 123 -s KILL "$(pid_of 'sleep 1001')"
check "it leaves two tasks" wait_for_tasks 123 2
check "vkill --xid 123 -s KILL of the whole context" vkill --xid 123 -s KILL
# The killed shell is this shell's child: only this shell can reap it, and
# a check's command substitution does not.
wait "$leader" 2>/dev/null
check "every task is gone and the context ended" wait_gone /proc/virtual/123
check_fails "vkill of a context that is gone fails" vkill --xid 123

# vwait: the reason a context ended; a guest's reboot ends only the guest.
for how in "restart:reboot -f" "halt:halt -f" "poweroff:poweroff -f" "exited:exit 0"; do
	reason=${how%%:*} cmd=${how#*:}
	rm -f /tmp/vwait.go
	setsid vcontext --create --xid 124 -- \
		sh -c "while [ ! -e /tmp/vwait.go ]; do sleep 0.1; done; $cmd; sleep 1000" &
	guest=$!
	wait_exists /proc/virtual/124/info
	vwait --timeout 30 124 >/tmp/vwait.out 2>&1 &
	waiter=$!
	# The guest ends only once vwait waits for it (its one poll(2), syscall
	# 7), not after a delay a loaded machine can outlast.
	wait_true "grep -q '^7 ' /proc/$waiter/syscall 2>/dev/null" 30
	touch /tmp/vwait.go
	# Reap the guest's first task here, or its zombie keeps the context.
	wait "$guest" 2>/dev/null
	wait "$waiter"
	check_eq "vwait reports $reason after '$cmd' in the guest" "FINISHED $reason" \
		"$(cat /tmp/vwait.out)"
	check "context 124 is gone after '$cmd'" wait_gone /proc/virtual/124
done
check "the machine is still up after the guests' reboots" test -d /proc/1
setsid vcontext --create --xid 125 -- sleep 1000 &
holder=$!
wait_exists /proc/virtual/125/info
out=$(vwait --timeout 1 125); rc=$?
check_eq "vwait --timeout prints TIMEOUT for a live context" TIMEOUT "$out"
check_eq "and exits 2" 2 "$rc"
vkill --xid 125 -s KILL
wait "$holder" 2>/dev/null
check "context 125 ended" wait_gone /proc/virtual/125
out=$(vwait 125 2>&1); rc=$?
check_match "vwait of a context that is not running prints ERROR" "^ERROR" "$out"
check_eq "and exits 127" 127 "$rc"

t_done
