# Two guests side by side: neither sees or signals the other, the host sees
# both, and vps attributes every process to its guest.
. /testvm/lib.sh

setsid vcontext --create --xid 101 --name alpha -- sleep 1001 &
alpha=$!
setsid vcontext --create --xid 102 --name beta -- sleep 1002 &
beta=$!
check "guest alpha is up" wait_exists /proc/virtual/101/info
check "guest beta is up" wait_exists /proc/virtual/102/info
check "alpha runs its sleep" wait_true '[ "$(pid_of "sleep 1001")" = "$alpha" ]'
check "beta runs its sleep" wait_true '[ "$(pid_of "sleep 1002")" = "$beta" ]'

# in_guest XID SCRIPT: runs SCRIPT in the guest with $alpha and $beta set.
in_guest() {
	vcontext --migrate --xid "$1" -- env alpha="$alpha" beta="$beta" sh -c "$2" 2>&1
}

for side in "101 alpha beta" "102 beta alpha"; do
	set -- $side
	xid=$1 own=$2 other=$3
	eval own_pid=\$$own other_pid=\$$other
	check_eq "$own sees its own process in /proc" yes \
		"$(in_guest "$xid" "[ -d /proc/$own_pid ] && echo yes || echo no")"
	check_eq "$own does not see $other's process in /proc" no \
		"$(in_guest "$xid" "[ -d /proc/$other_pid ] && echo yes || echo no")"
	check_eq "$own's /proc lists only its own processes" "" \
		"$(in_guest "$xid" "ls /proc | grep -E '^[0-9]+\$' | grep -xE '1|$other_pid'")"
	ps_out=$(in_guest "$xid" "ps -o pid,args")
	check_match "$own's ps shows its sleep" "^ *$own_pid +sleep 100" "$ps_out"
	check_eq "$own's ps shows nothing of $other" "" "$(echo "$ps_out" | grep -E "^ *$other_pid ")"
	check_eq "$own's ps shows nothing of the host" "" "$(echo "$ps_out" | grep -E '^ *1 ')"
	check_match "$own cannot signal $other (ESRCH)" "No such process" \
		"$(in_guest "$xid" "kill -0 $other_pid")"
	check_eq "$own can signal its own process" ok \
		"$(in_guest "$xid" "kill -0 $own_pid && echo ok")"
done

check "the host sees alpha's process" test -d "/proc/$alpha"
check "the host sees beta's process" test -d "/proc/$beta"
check "the host may signal alpha" kill -0 "$alpha"
check_eq "alpha's process is in context 101" 101 "$(vserver-info "$alpha" XID 2>&1)"

# alpha names a process with an escape sequence and leaves it a zombie,
# whose name busybox ps prints as it is.
esc=$(printf '\033')
printf '#!/bin/sh\nexit 0\n' >"/tmp/z${esc}c"
chmod +x "/tmp/z${esc}c"
vcontext --migrate --xid 101 -- sh -c '"$0" & exec sleep 1003' "/tmp/z${esc}c" &
zombie_parent=$!
check "alpha holds a zombie named z ESC c" wait_true \
	"grep -qs '^State:.*Z' /proc/\$(tr -d ' ' </proc/$zombie_parent/task/$zombie_parent/children)/status"

out=$(vps -o pid,args 2>&1)
# Logged without escape characters, should vps let one through.
echo "$out" | sed 's/^/# /' | tr -d '\033'
check_match "vps shows alpha's zombie with its name escaped" " alpha +\[z\\\\x1bc\]" "$out"
check "vps prints no escape character of a guest's" sh -c '! printf %s "$1" | grep -q "$2"' - "$out" "$esc"
check_match "vps names alpha as the context of sleep 1001" "^ *$alpha +alpha +sleep 1001" "$out"
check_match "vps names beta as the context of sleep 1002" "^ *$beta +beta +sleep 1002" "$out"
check_match "vps shows the host's init as MAIN" "^ *1 +MAIN +" "$out"
check_match "vps shows itself, in the spectator context, as ALL_PROC" \
	"^ *[0-9]+ +ALL_PROC +vps -o pid,args" "$out"
check_match "vps has a CONTEXT column" "^ *PID +CONTEXT +COMMAND" "$out"

kill -KILL "$alpha" "$beta" "$zombie_parent"
wait "$alpha" "$beta" "$zombie_parent" 2>/dev/null
rm -f "/tmp/z${esc}c"
check "alpha ended" wait_gone /proc/virtual/101
check "beta ended" wait_gone /proc/virtual/102

t_done
