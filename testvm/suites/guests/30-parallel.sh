# Twenty guests started at once all come up, show in vserver-stat, and stop
# cleanly at once.
. /testvm/lib.sh

n=20
i=1
while [ $i -le $n ]; do
	make_guest "p$i" $((300 + i)) >/dev/null 2>&1 || t_fail "build p$i" "build failed"
	i=$((i + 1))
done
pids=""
i=1
while [ $i -le $n ]; do
	vserver "p$i" start >"/tmp/p$i.out" 2>&1 & pids="$pids $!"
	i=$((i + 1))
done
failed=0
for pid in $pids; do wait "$pid" || failed=$((failed + 1)); done
check_eq "all $n starts succeed" 0 "$failed"
[ $failed = 0 ] || cat /tmp/p*.out
running=0
i=1
while [ $i -le $n ]; do
	vserver "p$i" running && running=$((running + 1))
	i=$((i + 1))
done
check_eq "all $n guests run" "$n" "$running"
check_eq "vserver-stat lists all $n" "$n" "$(vserver-stat | grep -cE ' p[0-9]+$')"

pids=""
i=1
while [ $i -le $n ]; do
	vserver "p$i" stop >"/tmp/p$i.stop" 2>&1 & pids="$pids $!"
	i=$((i + 1))
done
failed=0
for pid in $pids; do wait "$pid" || failed=$((failed + 1)); done
check_eq "all $n stops succeed" 0 "$failed"
[ $failed = 0 ] || cat /tmp/p*.stop
i=1
while [ $i -le $n ]; do
	host_is_clean "p$i" $((300 + i)) >/dev/null || t_fail "p$i is clean" "$(host_is_clean "p$i" $((300 + i)))"
	vserver "p$i" delete --force >/dev/null 2>&1
	i=$((i + 1))
done
check_eq "no guest cgroup is left" "" "$(ls -d /sys/fs/cgroup/vserver/*/ 2>/dev/null)"
t_done
