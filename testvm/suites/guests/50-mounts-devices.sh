# Issue 9: fstab bind mounts (18), a fresh /dev with nodev everywhere else
# and no host device nodes from build (7), a cgroup namespace (6), no
# AUDIT_WRITE by default (11).
. /testvm/lib.sh

check "build f1" make_guest f1 231

# 18: bind lines, read-only and read-write, a directory and a file; a
# read-only rbind of a directory with a host filesystem mounted below it.
mkdir -p /tmp/bindsrc /vservers/f1/mnt/ro /vservers/f1/mnt/rw /vservers/f1/mnt/cgroup \
	/tmp/rbindsrc/sub /vservers/f1/mnt/rb
echo "from the host" >/tmp/bindsrc/data
echo "host file" >/tmp/bindfile
mount -t tmpfs -o size=1m rbindsub /tmp/rbindsrc/sub
echo "below the rbind" >/tmp/rbindsrc/sub/data
touch /vservers/f1/etc/bound.conf
cat >>/etc/vservers/f1/fstab <<'FSTAB'
/tmp/bindsrc /mnt/rw none bind 0 0
/tmp/bindsrc /mnt/ro none bind,ro 0 0
/tmp/bindfile /etc/bound.conf none bind,ro 0 0
/tmp/rbindsrc /mnt/rb none rbind,ro 0 0
cgroup2 /mnt/cgroup cgroup2 defaults 0 0
FSTAB
check "a guest with bind lines in its fstab starts" vserver f1 start
check_eq "the read-write bind shows the host directory" "from the host" \
	"$(vserver f1 exec cat /mnt/rw/data)"
check "the guest writes through the read-write bind" vserver f1 exec sh -c 'echo guest >/mnt/rw/new'
check_eq "and the host sees it" guest "$(cat /tmp/bindsrc/new)"
check_eq "the read-only bind shows the same directory" "from the host" \
	"$(vserver f1 exec cat /mnt/ro/data)"
check_match "writing through the read-only bind fails with EROFS" "Read-only file system" \
	"$(vserver f1 exec sh -c 'echo x >/mnt/ro/data' 2>&1)"
check_eq "the file bind shows the host file" "host file" "$(vserver f1 exec cat /etc/bound.conf)"
check_match "the read-only file bind refuses writes with EROFS" "Read-only file system" \
	"$(vserver f1 exec sh -c 'echo x >/etc/bound.conf' 2>&1)"
check_match "the bind mounts are nodev, as every fstab line" "/mnt/ro .*nodev" \
	"$(vserver f1 exec cat /proc/mounts)"
check_eq "the host file is unchanged" "host file" "$(cat /tmp/bindfile)"
check_eq "the read-only rbind shows the host mount below it" "below the rbind" \
	"$(vserver f1 exec cat /mnt/rb/sub/data)"
check_match "writing into the host mount below a read-only rbind fails with EROFS" \
	"Read-only file system" "$(vserver f1 exec sh -c 'echo x >/mnt/rb/sub/data' 2>&1)"
check_match "the mount below the rbind is read-only and nodev" "^rbindsub /mnt/rb/sub tmpfs ro,nodev" \
	"$(vserver f1 exec grep rbindsub /proc/mounts)"
check_eq "the host's file below it is unchanged" "below the rbind" "$(cat /tmp/rbindsrc/sub/data)"

# 7: a fresh /dev holding only the allowed nodes, nodev everywhere else.
mknod /vservers/f1/dev/sda-host b 8 0
mknod /vservers/f1/root/console-host c 5 1
check_eq "the guest's /dev holds only the allowed nodes" "full null ptmx random tty urandom zero" \
	"$(vserver f1 exec sh -c 'for f in /dev/*; do [ -c $f -o -b $f ] && echo ${f#/dev/}; done' |
		sort | tr '\n' ' ' | sed 's/ $//')"
check "a node put into the root's dev/ is not in the guest's /dev" \
	vserver f1 exec sh -c '! test -e /dev/sda-host'
check_match "a node elsewhere in the root opens nothing (nodev: EACCES)" "Permission denied" \
	"$(vserver f1 exec cat /root/console-host 2>&1)"
check "control: the guest's /dev/null opens" vserver f1 exec sh -c 'echo x >/dev/null'
check_eq "control: its /dev/zero is the real one" "1:5" "$(vserver f1 exec stat -c %t:%T /dev/zero)"
check_match "the guest root is mounted nodev" " / [^ ]* [^ ]*nodev" "$(vserver f1 exec cat /proc/mounts)"
rm /vservers/f1/dev/sda-host /vservers/f1/root/console-host

# 6: a cgroup namespace rooted at the guest's own group.
check_eq "the guest sees its own cgroup as the root" "0::/" "$(vserver f1 exec cat /proc/self/cgroup)"
check "control: the host sees it at /vserver/f1" grep -qx "0::/vserver/f1" "/proc/$(init_pid f1)/cgroup"
# Its cgroup2 mount shows that group as the root, and it makes groups below
# (systemd in a guest does): stop removes them with its group, and it
# starts again.
check "the guest makes groups below its own" vserver f1 exec mkdir -p /mnt/cgroup/a/b/c /mnt/cgroup/d
check "the host sees them below the guest's group" test -d /sys/fs/cgroup/vserver/f1/a/b/c
# It moves its own processes into them, as systemd does with its units;
# stop ends what runs there too.
check_eq "the guest moves a process of its own into its group d" "0::/d" \
	"$(vserver f1 exec sh -c 'echo $$ >/mnt/cgroup/d/cgroup.procs && cat /proc/self/cgroup' </dev/null)"
(vserver f1 exec sh -c 'echo $$ >/mnt/cgroup/d/cgroup.procs && exec sleep 1000' \
	</dev/null >/dev/null 2>&1 &)
check "control: the host sees a guest process in f1's group d" \
	wait_true 'grep -q . /sys/fs/cgroup/vserver/f1/d/cgroup.procs' 10
check "f1 stops" vserver f1 stop
check "its group is gone, with those below it" sh -c '! test -e /sys/fs/cgroup/vserver/f1'
check "f1 starts again" vserver f1 start
# A guest that hands controllers to the groups below its own, as systemd
# in a guest does once its processes are in them, makes the kernel keep
# processes out of its group (EBUSY): exec and enter then make the
# command in its init's group.
check "the guest moves its processes below its group and hands them a controller" \
	vserver f1 exec sh -c 'mkdir /mnt/cgroup/i &&
		for p in $(cat /mnt/cgroup/cgroup.procs); do echo $p >/mnt/cgroup/i/cgroup.procs; done
		echo +pids >/mnt/cgroup/cgroup.subtree_control' </dev/null
check_eq "control: the host sees the controller below f1's group" pids \
	"$(cat /sys/fs/cgroup/vserver/f1/cgroup.subtree_control)"
check_eq "control: f1's init is in its group i" "0::/vserver/f1/i" "$(cat "/proc/$(init_pid f1)/cgroup")"
check_eq "exec runs the command in its init's group" "0::/i" \
	"$(vserver f1 exec cat /proc/self/cgroup </dev/null)"

# 11: no AUDIT_WRITE in a guest's default bounding set.
check "f1's context lacks AUDIT_WRITE" sh -c "! vattribute --xid 231 --get | grep -q AUDIT_WRITE"
check "control: it keeps the rest of the default (SYS_CHROOT)" \
	sh -c "vattribute --xid 231 --get | grep -q SYS_CHROOT"

# 7: build drops device nodes a template brings outside /dev.
rm -rf /tmp/tpl7 && busybox_root /tmp/tpl7
mknod /tmp/tpl7/etc/hostdisk b 8 0
mknod /tmp/tpl7/dev/console c 5 1
tar -czf /tmp/t7.tar.gz -C /tmp/tpl7 .
out=$(vserver f6 build -m template --context 236 -- -t /tmp/t7.tar.gz 2>&1)
check_eq "a template with a host device still builds" 0 "$?"
check_match "with a warning naming the node" \
	"f6: warning: /vservers/f6/etc/hostdisk is a block device \(8:0\) outside /dev: not copied into the guest" "$out"
check "and without the node" sh -c "! test -e /vservers/f6/etc/hostdisk"
check "control: nodes in the root's dev/ stay (the guest never sees them)" test -c /vservers/f6/dev/console
check "delete f6" vserver f6 delete --force
rm -rf /tmp/tpl7 /tmp/t7.tar.gz

# 7: the device map (apps/vdevmap/): a mapped device is in the guest's
# /dev, as the host has it, and opens (vstest filesystems checks that
# the rest stays closed, wherever a node is).
check "stop f1 for its device map" vserver f1 stop
mkdir -p /etc/vservers/f1/apps/vdevmap/vt2
echo /dev/tty2 >/etc/vservers/f1/apps/vdevmap/vt2/device
touch /etc/vservers/f1/apps/vdevmap/vt2/open
check "f1 starts with a device map" vserver f1 start
check_eq "the mapped device is in the guest's /dev with the host's numbers and mode" \
	"$(stat -c '%t:%T %a' /dev/tty2)" "$(vserver f1 exec stat -c '%t:%T %a' /dev/tty2)"
check_eq "the guest opens the mapped device" opened \
	"$(vserver f1 exec sh -c 'exec 3</dev/tty2 && echo opened' 2>&1)"
check "its context's status lists the rule" grep -qx "Device:	c 4:2 open" /proc/virtual/231/status
check_eq "the guest's /dev holds the allowed nodes and the mapped one" \
	"full null ptmx random tty tty2 urandom zero" \
	"$(vserver f1 exec sh -c 'for f in /dev/*; do [ -c $f -o -b $f ] && echo ${f#/dev/}; done' |
		sort | tr '\n' ' ' | sed 's/ $//')"
check "stop f1" vserver f1 stop
echo /tmp/bindfile >/etc/vservers/f1/apps/vdevmap/vt2/device
check_match "a map rule naming no device node fails the start with one line" \
	"apps/vdevmap/vt2/device:1: '/tmp/bindfile' is not a device node" "$(vserver f1 start 2>&1)"
echo /dev/tty2 >/etc/vservers/f1/apps/vdevmap/vt2/device
touch /etc/vservers/f1/apps/vdevmap/vt2/remap
check_match "a remap rule fails the start with one line" "device remapping is not supported" \
	"$(vserver f1 start 2>&1)"
rm -rf /etc/vservers/f1/apps/vdevmap
check_clean "f1 left nothing behind" f1 231

# A bind line's mount point that guest root made a symlink to / is the
# guest's root itself: mounting there would start the guest in the bind
# source, writable.
mv /vservers/f1/mnt/rw /vservers/f1/mnt/rw.old
ln -s / /vservers/f1/mnt/rw
check_match "a mount point that is the guest's root fails the start with one line" \
	"fstab:[0-9]+: cannot mount /tmp/bindsrc on /mnt/rw: it is the guest.s root directory" \
	"$(vserver f1 start 2>&1)"
check_clean "and leaves nothing behind" f1 231
check "the guest's root is no mount point" sh -c '! grep -q " /vservers/f1 " /proc/mounts'
rm /vservers/f1/mnt/rw
mv /vservers/f1/mnt/rw.old /vservers/f1/mnt/rw

# A bind source in a guest's tree, its own or another's under the vdir
# base, named there or through a host link into it: the guest owning it
# could make a directory on the way a link to a host directory while the
# start looks, and the guest started would be handed that.
mkdir -p /tmp/hostonly /vservers/f1/srv /vservers/f1x/srv
echo "host only" >/tmp/hostonly/secret
ln -s /vservers/f1/srv /tmp/viahost
cp /etc/vservers/f1/fstab /tmp/f1.fstab
for way in /vservers/f1:/vservers/f1/srv/shared /vservers/f1x:/vservers/f1x/srv/shared \
	/vservers/f1:/tmp/viahost/shared; do
	root=${way%%:*} source=${way#*:}
	rm -rf "$root/srv/shared"
	ln -s /tmp/hostonly "$root/srv/shared"
	cp /tmp/f1.fstab /etc/vservers/f1/fstab
	echo "$source /mnt/ro none bind,ro 0 0" >>/etc/vservers/f1/fstab
	check_match "a bind source $source that a link in $root leads to the host fails the start with one line" \
		"fstab:[0-9]+: cannot mount $source on /mnt/ro: $source: a symbolic link in the guest's tree \(below $root\) leads there" \
		"$(vserver f1 start 2>&1)"
	check_clean "and leaves nothing behind" f1 231
	rm "$root/srv/shared"
	mkdir "$root/srv/shared"
	echo "in $root" >"$root/srv/shared/data"
	check "control: with a directory there, f1 starts" vserver f1 start
	check_eq "and the bind shows it" "in $root" "$(vserver f1 exec cat /mnt/ro/data)"
	check "stop f1" vserver f1 stop
done
mv /tmp/f1.fstab /etc/vservers/f1/fstab
rm -rf /tmp/hostonly /tmp/viahost /vservers/f1x
check "delete f1" vserver f1 delete --force
umount /tmp/rbindsrc/sub
rm -rf /tmp/bindsrc /tmp/bindfile /tmp/rbindsrc
t_done
