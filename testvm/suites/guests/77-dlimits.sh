# Issue 11: disk limits on a shared filesystem.  Two guests live on one
# ext4 filesystem with project quotas (a loop device made here, mounted
# with prjquota); dlimits/ gives each a space and an inode limit, which
# vserver start applies as the quota of the project named by its context
# id.  dd stops at the space limit and touch at the inode limit with
# EDQUOT, df in the guest shows its limit, the other guest is unaffected,
# vdlimit shows and changes the limits, vserver-stat --json has them, and
# a start whose limit cannot be applied fails with one line and leaves
# nothing running.  Then two more guests hold to the same limits on XFS.
# What a guest may not do to its projects and quotas, and to the whole
# filesystem: vstest projects (quota_probe.cc), on each filesystem.
# Contexts 781-786 (4801 in the probe).
. /testvm/lib.sh

IF=/etc/vservers
img=/tmp/dlimits.img
fs=/srv/shared

# dlimit NAME DIR SPACE INODES: NAME's dlimits/root entry.
dlimit() {
	mkdir -p "$IF/$1/dlimits/root"
	echo "$2" >"$IF/$1/dlimits/root/directory"
	echo "$3" >"$IF/$1/dlimits/root/space_total"
	echo "$4" >"$IF/$1/dlimits/root/inodes_total"
	echo 0 >"$IF/$1/dlimits/root/reserved"
}
# shared_guest NAME XID: a guest whose root is on the shared filesystem,
# with dd and df.
shared_guest() {
	make_guest "$1" "$2" --rootdir "$fs" >/dev/null || return 1
	for applet in dd df; do ln -sf busybox "$fs/$1/bin/$applet"; done
}
# used NAME WHAT: WHAT (space_used, inodes_total, ...) as vdlimit shows it.
used() { vdlimit --xid "$2" "$fs/$1" | sed -n "s/^$3=//p"; }

check "make a 96 MiB ext4 image with project quotas" \
	sh -c "dd if=/dev/zero of=$img bs=1M count=96 2>/dev/null && /usr/sbin/mke2fs -q -t ext4 -O quota,project -I 256 $img"
mkdir -p "$fs"
check "mount it with project quotas enforced" mount -t ext4 -o loop,prjquota "$img" "$fs"

vstest projects "$fs/probe" >/tmp/projects.out 2>&1
relay_checks "vstest projects" 42 </tmp/projects.out

# --- the limits hold ------------------------------------------------------
# limits_hold A XID_A B XID_B ERROR: guests A and B on the shared
# filesystem at $fs hold to their limits, each apart from the other; a
# write past one fails with ERROR.  A is left running with its 300 inodes
# used; B is left running.
limits_hold() {
	local a=$1 a_xid=$2 b=$3 b_xid=$4 error=$5 out files
	check "build $a on the shared filesystem" shared_guest "$a" "$a_xid"
	dlimit "$a" "$fs/$a" 8192 300
	check "start $a with 8 MiB and 300 inodes" vserver "$a" start
	check_match "vdlimit shows $a's limits" "^$a_xid $fs/$a
space_used=[0-9]+
space_total=8192
inodes_used=[0-9]+
inodes_total=300
reserved=0$" "$(vdlimit --xid "$a_xid" "$fs/$a")"
	# The tree built before the start (busybox is over a megabyte) was
	# given the project at the start.
	check "the files $a had before its first start count: over 1 MiB used" \
		test "$(used "$a" "$a_xid" space_used)" -gt 1024
	check_match "vserver $a status shows the disk limit" \
		"Disk $fs/$a: [0-9]+ of 8192 KiB, [0-9]+ of 300 inodes" "$(vserver "$a" status)"
	check_match "df in $a shows its limit as the size of its root" \
		"^[^ ]+ +8192 +[0-9]+ +[0-9]+ " "$(vserver "$a" exec df -k / | sed 1d)"

	out=$(vserver "$a" exec dd if=/dev/zero of=/big bs=64k count=256 2>&1)
	check_match "dd of 16 MiB in $a stops at its limit: $error" "$error" "$out"
	check "$a holds no more than its limit" test "$(used "$a" "$a_xid" space_used)" -le 8192
	check "and most of it" test "$(used "$a" "$a_xid" space_used)" -gt 7168

	check "build $b on the same filesystem" shared_guest "$b" "$b_xid"
	dlimit "$b" "$fs/$b" 32768 1000
	check "start $b while $a is full" vserver "$b" start
	check "$b writes 4 MiB: another guest's full limit is not its" \
		vserver "$b" exec dd if=/dev/zero of=/data bs=64k count=64
	check_match "and counts it as its own, not $a's" "^space_total=32768$" \
		"$(vdlimit --xid "$b_xid" "$fs/$b")"
	check "$a's usage is unchanged by $b's write" \
		test "$(used "$a" "$a_xid" space_used)" -le 8192

	check "$a removes its big file" vserver "$a" exec rm /big
	files=$(vserver "$a" exec sh -c 'i=0; while [ $i -lt 1000 ] && touch /f$i 2>/dev/null; do i=$((i + 1)); done; touch /f$i 2>&1; echo made $i')
	check_match "touch in $a stops at its inode limit: $error" "$error" "$files"
	check_eq "$a uses exactly its 300 inodes" 300 "$(used "$a" "$a_xid" inodes_used)"
}
limits_hold d1 781 d2 782 "Disk quota exceeded"

# --- vdlimit changes a running guest's limits ----------------------------
check "vdlimit raises d1's space to 16 MiB" vdlimit --xid 781 --set space_total=16384 "$fs/d1"
check_match "the inode limit is kept" "^inodes_total=300$" "$(vdlimit --xid 781 "$fs/d1")"
check "d1 may write 4 MiB more (into a file it has: no inode is left)" vserver d1 exec dd if=/dev/zero of=/f0 bs=64k count=64
check_fails "vdlimit refuses to set what the filesystem counts" \
	vdlimit --xid 781 --set space_used=0 "$fs/d1"
check "vdlimit --remove lifts d2's limits" vdlimit --xid 782 --remove "$fs/d2"
check_match "d2 has no limit left" "space_total=-1
inodes_used=[0-9]+
inodes_total=-1" "$(vdlimit --xid 782 "$fs/d2")"

# --- a restart keeps the count; the start applies the config again ------
before=$(used d1 781 space_used)
check_match "d1 uses some space before its restart" "^[0-9]+$" "$before"
check "stop d1" vserver d1 stop
check "start d1 again" vserver d1 start
check_eq "its usage is what the filesystem counted, unchanged" "$before" "$(used d1 781 space_used)"
check_match "and the start set its limit from dlimits/ again" "^space_total=8192$" \
	"$(vdlimit --xid 781 "$fs/d1")"

# --- vserver-stat --json: the same figures, from the same quotas ---------
stat_json=$(vserver-stat --json)
check_match "vserver-stat --json has d1's dlimits entry: directory, limits and use" \
	"\"name\": \"d1\".*\"dlimits\": \[\{\"directory\": \"$fs/d1\", \"space_used_kib\": [0-9]+, \"space_total_kib\": 8192, \"inodes_used\": [0-9]+, \"inodes_total\": 300\}\]" \
	"$stat_json"
d1_json_used=$(echo "$stat_json" | sed -n 's/.*"name": "d1".*"space_used_kib": \([0-9]*\),.*/\1/p')
check "and its space used is over 1 MiB, as vdlimit counts it" test "$d1_json_used" -gt 1024
check_match "d2's totals, which vdlimit removed, are null" \
	"\"name\": \"d2\".*\"dlimits\": \[\{\"directory\": \"$fs/d2\", \"space_used_kib\": [0-9]+, \"space_total_kib\": null, \"inodes_used\": [0-9]+, \"inodes_total\": null\}\]" \
	"$stat_json"
check_match "the host has no dlimits: null" '"name": "root server".*"dlimits": null' "$stat_json"

# --- limits that cannot be applied ----------------------------------------
check "build d3 on the VM's root filesystem, which has no project quotas" make_guest d3 783
dlimit d3 /vservers/d3 8192 300
out=$(vserver d3 start 2>&1)
check_match "its start fails with one clear line" "project quota" "$out"
check_fails "and d3 is not running" vserver d3 running
check_eq "nor is context 783" "" "$(ls /proc/virtual | grep -x 783)"
rm "$IF/d3/dlimits/root/inodes_total"
check_match "a dlimit without inodes_total names the file" "inodes_total" "$(vserver d3 start 2>&1)"
check "build d4 on the shared filesystem" shared_guest d4 784
dlimit d4 "$fs/d4" 8192 300
echo SYS_RESOURCE >"$IF/d4/bcapabilities"
check_match "a guest with CAP_SYS_RESOURCE (which passes any quota) is refused dlimits" \
	"SYS_RESOURCE" "$(vserver d4 start 2>&1)"
check_fails "and d4 is not running" vserver d4 running
# A guest without dlimits/ has an empty list, not null.
rm -r "$IF/d3/dlimits"
check "d3 without dlimits/ starts" vserver d3 start
check_match "vserver-stat --json has an empty dlimits for it" '"name": "d3".*"dlimits": \[\]' \
	"$(vserver-stat --json)"

for name in d1 d2 d3; do check "stop $name" vserver "$name" stop; done
check "unmount the shared filesystem" umount "$fs"
rm -f "$img"

# --- XFS: the same limits, from its own project quotas ---------------------
# mkfs.xfs refuses a filesystem under 300 MiB but when run by fstests, as
# these variables tell it; a small one is all this needs.
img=/tmp/dlimits-xfs.img
check "make a 96 MiB XFS image" \
	sh -c "dd if=/dev/zero of=$img bs=1M count=96 2>/dev/null && TEST_DEV=1 TEST_DIR=1 QA_CHECK_FS=1 mkfs.xfs -q $img"
check "mount it with project quotas enforced" mount -t xfs -o loop,prjquota "$img" "$fs"
vstest projects "$fs/probe" >/tmp/projects.out 2>&1
relay_checks "vstest projects on XFS" 47 </tmp/projects.out
# XFS answers a write past a project's limit with ENOSPC, not EDQUOT: to
# the writer, a project is a directory tree with a size of its own.
limits_hold x1 785 x2 786 "No space left on device"
for name in x1 x2; do check "stop $name" vserver "$name" stop; done
check "unmount the XFS filesystem" umount "$fs"
rm -f "$img"
t_done
