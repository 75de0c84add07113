# /proc/virtual shows a guest its own context only: another context's
# directory and files answer ENOENT, exactly as an xid nobody uses does,
# and /proc/virtual/info counts the guest's own context only; the listing
# of /proc/virtual names no other context.  The host and the spectator see
# every context.
. /testvm/lib.sh

setsid vcontext --create --xid 101 --name alpha -- sleep 1001 &
alpha=$!
setsid vcontext --create --xid 102 --name beta -- sleep 1002 &
beta=$!
check "guest alpha is up" wait_exists /proc/virtual/101/info
check "guest beta is up" wait_exists /proc/virtual/102/info

# in_ctx XID SCRIPT: runs SCRIPT in context XID, printing what it prints.
in_ctx() { vcontext --migrate --xid "$1" -- sh -c "$2" 2>&1; }

# Controls: a guest reads its own context's files.
check_match "alpha reads its own status" "^BCaps:" "$(in_ctx 101 'cat /proc/virtual/101/status')"
check_match "alpha reads its own info" "^ID:	101$" "$(in_ctx 101 'cat /proc/virtual/101/info')"
check_eq "alpha finds its own directory" yes "$(in_ctx 101 'test -e /proc/virtual/101 && echo yes')"
check_match "alpha lists its own directory" "status" "$(in_ctx 101 'ls /proc/virtual/101')"

# Another context's entries answer as an unused xid's do: ENOENT.
for what in "cat /proc/virtual/XID/status" "cat /proc/virtual/XID/info" "ls /proc/virtual/XID" \
	"stat /proc/virtual/XID" "stat /proc/virtual/XID/status"; do
	foreign=$(in_ctx 101 "$(echo "$what" | sed s/XID/102/)")
	free=$(in_ctx 101 "$(echo "$what" | sed s/XID/4999/)")
	check_match "alpha: $(echo "$what" | sed s/XID/102/) -> ENOENT" "No such file or directory" "$foreign"
	check_eq "alpha: $(echo "$what" | sed s/XID/102/) answers as for the unused xid 4999" \
		"$free" "$(echo "$foreign" | sed s/102/4999/g)"
done
check_eq "alpha does not find beta's directory" no \
	"$(in_ctx 101 'test -e /proc/virtual/102 && echo yes || echo no')"
check_eq "alpha lists only its own context and info in /proc/virtual" "101 info" \
	"$(in_ctx 101 'ls /proc/virtual' | tr '\n' ' ' | sed 's/ $//')"
check_match "alpha cannot chdir into beta's directory (ENOENT)" "can't cd to /proc/virtual/102" \
	"$(in_ctx 101 'cd /proc/virtual/102')"
# A directory the host looked up just before stays hidden (no cached answer).
ls /proc/virtual/102 >/dev/null
check_eq "alpha does not find beta's directory the host just looked up" no \
	"$(in_ctx 101 'test -d /proc/virtual/102 && echo yes || echo no')"
# The host's dentries stay the host's: a host process whose working
# directory is beta's keeps it while alpha looks for it (patch 0152).
(cd /proc/virtual/102 && exec sleep 60) &
holder=$!
wait_true '[ "$(readlink /proc/$holder/cwd)" = /proc/virtual/102 ]' 3
check_eq "a host process works in beta's directory (control)" /proc/virtual/102 "$(readlink /proc/$holder/cwd)"
check_match "alpha looks for it, and finds nothing (ENOENT)" "No such file or directory" \
	"$(in_ctx 101 'stat /proc/virtual/102; cd /proc/virtual/102')"
check_eq "the host process's working directory is still there, not deleted" /proc/virtual/102 \
	"$(readlink /proc/$holder/cwd)"
kill $holder
# Kept across a migration: a working directory in beta's directory.
check_match "a shell migrated from beta's directory reads nothing there (ENOENT)" \
	"No such file or directory" \
	"$(cd /proc/virtual/102 && vcontext --migrate --xid 101 -- sh -c 'cat status; stat status' 2>&1)"

check_eq "alpha lists /proc without an error" "" "$(in_ctx 101 'ls /proc >/dev/null')"
check_eq "alpha's /proc/virtual/info counts only its own context" "Contexts:	1" \
	"$(in_ctx 101 'grep ^Contexts: /proc/virtual/info')"

# The host and the spectator see everything.
listing=$(ls /proc/virtual | tr '\n' ' ')
check_match "the host lists alpha's and beta's directories" "101 102 " "$listing"
check_match "the host reads beta's status" "^BCaps:" "$(cat /proc/virtual/102/status)"
check_match "the spectator reads beta's status" "^BCaps:" "$(in_ctx 1 'cat /proc/virtual/102/status')"
check_match "the spectator lists both" "101 102 " "$(in_ctx 1 'ls /proc/virtual | tr "\n" " "')"
check "the host counts both in /proc/virtual/info" \
	test "$(sed -n 's/^Contexts:\t//p' /proc/virtual/info)" -ge 2

kill -KILL "$alpha" "$beta"
wait "$alpha" "$beta" 2>/dev/null
check "alpha ended" wait_gone /proc/virtual/101
check "beta ended" wait_gone /proc/virtual/102

t_done
