# The vserver LSM comes first after capabilities, so the LSMs behind it
# see its decisions; lockdown, an early LSM where it is built in, comes
# before both.  On the distribution kernel (make check
# KERNEL=distro: a release ending in -vserver) Debian's LSMs are stacked
# behind it as Debian orders them, AppArmor among them; the test kernel
# stacks Landlock only (configs/kernel/vserver.config).
. /testvm/lib.sh

mounted=
if [ ! -e /sys/kernel/security/lsm ]; then
	mount -t securityfs securityfs /sys/kernel/security && mounted=1
fi
lsms=$(cat /sys/kernel/security/lsm)
[ -n "$mounted" ] && umount /sys/kernel/security
check_match "vserver is the first LSM after capability" "^(lockdown,)?capability,vserver," "$lsms"
case "$(uname -r)" in
*-vserver)
	check_eq "the distribution kernel stacks Debian's LSMs behind vserver" \
		"lockdown,capability,vserver,landlock,yama,apparmor,tomoyo,bpf" "$lsms"
	check_eq "AppArmor is enabled" Y "$(cat /sys/module/apparmor/parameters/enabled)"
	;;
*)
	check_eq "the test kernel stacks Landlock behind vserver" "capability,vserver,landlock" "$lsms"
	;;
esac
t_done
