# Root inside a guest context can neither create contexts nor move into
# any, and is told why.
. /testvm/lib.sh

out=$(vcontext --create --xid 42 -- sh -c '
	vcontext --create --xid 43 -- true; echo "create-rc=$?"
	vcontext --migrate --xid 42 -- true; echo "migrate-rc=$?"
	vcontext --migrate --xid 1 -- true; echo "spectator-rc=$?"
	echo "uid=$(id -u)"
' 2>&1)
check_match "the test runs as root inside the guest" "^uid=0$" "$out"
check_match "guest root creating a context is refused with EPERM and the reason" \
	"^vcontext: create context 43: only root of the host context may manage contexts \(Operation not permitted\)$" "$out"
check_match "vcontext exits 255 when the create is refused" "^create-rc=255$" "$out"
check_match "guest root entering its own context is refused with EPERM" \
	"^vcontext: enter context 42: only root of the host context may manage contexts \(Operation not permitted\)$" "$out"
check_match "vcontext exits 255 when the migrate is refused" "^migrate-rc=255$" "$out"
check_match "guest root entering the spectator is refused" "^spectator-rc=255$" "$out"
check "context 42 ended" wait_gone /proc/virtual/42
check_fails "no context 43 was created" vserver-info 43 RUNNING

# The host may, and a second create of a live context exits 254.
setsid vcontext --create --xid 44 -- sleep 1000 &
holder=$!
check "the host creates context 44" wait_exists /proc/virtual/44/info
vcontext --create --xid 44 -- true 2>/tmp/err; rc=$?
check_eq "vcontext --create of a live context exits 254" 254 "$rc"
check_match "and says the context exists" "create context 44: a context with this xid exists" "$(cat /tmp/err)"
check_eq "the host may move into a live context" 44 \
	"$(vcontext --migrate --xid 44 -- vserver-info self XID)"
kill -KILL "$holder"; wait "$holder"
check "context 44 ended" wait_gone /proc/virtual/44

t_done
