# A command started in a new context runs in it; its children and the
# programs it execs inherit it; the host stays in context 0; the context is
# described in /proc/virtual while it lives and is gone after its last task.
. /testvm/lib.sh

check_eq "the host shell is in context 0" 0 "$(vserver-info self XID)"

out=$(vcontext --create --xid 42 --name t42 -- sh -c '
	echo "self=$(vserver-info self XID)"
	sh -c "echo child=\$(vserver-info self XID)"
	echo "info=$(tr "\n\t" "; " </proc/virtual/42/info)"
	exec sh -c "echo exec=\$(vserver-info self XID)"
' 2>&1)
check_match "a command started with vcontext --create --xid 42 runs in 42" "^self=42$" "$out"
check_match "its child inherits context 42" "^child=42$" "$out"
check_match "a program it execs stays in context 42" "^exec=42$" "$out"
check_match "/proc/virtual/42/info names the context while it lives" \
	"^info=ID: 42;Name: t42;Tasks: [0-9]+;Uptime: [0-9]+\.[0-9]{3};$" "$out"
check_eq "the host shell is still in context 0" 0 "$(vserver-info self XID)"
check "context 42 is gone after its last task exited" wait_gone /proc/virtual/42

# Three tasks in a context, counted and seen from the host.
setsid vcontext --create --xid 42 -- sh -c 'sleep 1000 & sleep 1000 & wait' &
leader=$!
check "context 42 appears in /proc/virtual" wait_exists /proc/virtual/42/info
sleep 0.5
check_eq "/proc/virtual/42/info counts its three tasks" "Tasks:	3" \
	"$(grep '^Tasks:' /proc/virtual/42/info)"
check_eq "the host sees the context's task in context 42" 42 "$(vserver-info "$leader" XID)"
check_eq "the host's own pid is in context 0" 0 "$(vserver-info $$ XID)"
check_match "vserver-info lists context 42 with its tasks" "^42 +3 " "$(vserver-info)"
check "vserver-info 42 RUNNING is true" vserver-info 42 RUNNING
kill -KILL -"$leader"
wait "$leader"
check "context 42 ends once its tasks are reaped" wait_gone /proc/virtual/42
check_fails "vserver-info 42 RUNNING is false afterwards" vserver-info 42 RUNNING

# Kernel threads belong to the host.
bad=""
for stat in /proc/[0-9]*/stat; do
	read -r pid comm state ppid rest <"$stat" 2>/dev/null || continue
	[ "$pid" = 2 ] || [ "$ppid" = 2 ] || continue
	xid=$(vserver-info "$pid" XID 2>/dev/null) || continue
	[ "$xid" = 0 ] || bad="$bad $pid:$comm:$xid"
done
check_eq "every kernel thread is in context 0" "" "$bad"

t_done
