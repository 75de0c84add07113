# A guest's reboot or halt from inside reaches the host: the guest stops,
# and starts again when it asked for a restart.
. /testvm/lib.sh

rm -rf /tmp/tpl && busybox_root /tmp/tpl
printf '::respawn:/bin/sleep 100005\n' >/tmp/tpl/etc/inittab
tar -czf /tmp/r.tar.gz -C /tmp/tpl .
check "build r1 (plain init)" vserver r1 build -m template --context 221 --initstyle plain -- -t /tmp/r.tar.gz
check "start r1" vserver r1 start
first=$(init_pid r1)
check "r1 has an init" test -n "$first"

vserver r1 exec reboot -f >/dev/null 2>&1
check "r1 restarted after its reboot" wait_true 'restarted r1 "$first"' 20
check "r1 runs again" wait_true "vserver r1 running" 10
check "the restarted r1 runs its init" wait_true '[ -n "$(pid_of "/bin/sleep 100005")" ]' 10

vserver r1 exec halt -f >/dev/null 2>&1
check "r1 stopped after its halt" wait_true "! vserver r1 running" 10
check_clean "the halted r1 left nothing behind" r1 221
sleep 2
check_fails "and stayed stopped" vserver r1 running
check "delete r1" vserver r1 delete --force
t_done
