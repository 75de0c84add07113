# A guest started inside a systemd unit of ours has its group in the
# unit's: vserver@NAME.service's for guest NAME, vservers.service's for
# any.  The unit's processes (the starter, the monitor) move into its
# .supervisor leaf, its controllers are enabled for its children, and the
# guest's group is NAME beside that leaf, rooted as the guest's cgroup
# namespace; the run file records it, and status, exec, vlimit,
# vserver-stat and stop use it.  A guest started from any other group
# keeps the default, /sys/fs/cgroup/vserver/NAME.
#
# The VM has no systemd: a unit is simulated as systemd sets it up with
# Delegate=yes and Slice=vservers.slice, a group of its own whose parents
# enable every controller for it, into which ExecStart= goes (ExecReload=
# and ExecStop= into its .control leaf once it has children).
# Contexts 621-626.
. /testvm/lib.sh

IF=/etc/vservers
CGR=/sys/fs/cgroup
SLICE=vservers.slice
U1=$SLICE/vserver@u1.service
U6=$SLICE/vserver@u6.service
S=$SLICE/vservers.service
SESSION=session-1.scope

# delegate GROUP: enables for GROUP's children the controllers systemd
# delegates to a unit with Delegate=yes, where GROUP has them.
delegate() {
	local controller
	for controller in cpu cpuset io memory pids; do
		grep -qw $controller "$CGR/$1/cgroup.controllers" &&
			echo "+$controller" >"$CGR/$1/cgroup.subtree_control"
	done
}
# in_group GROUP CMD...: runs CMD as a process of GROUP, as systemd runs
# a unit's commands (a subshell's $$ would be the test's pid: sh -c).
in_group() {
	local group=$1; shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGR/$group" "$@"
}
# group_of PID: the cgroup v2 path of process PID, below $CGR.
group_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }
# children GROUP: the names of GROUP's child groups, on one line.
children() {
	local dir out=""
	for dir in "$CGR/$1"/*/ "$CGR/$1"/.[!.]*/; do
		[ -d "$dir" ] && out="$out $(basename "$dir")"
	done
	echo "${out# }"
}
# monitor_pid NAME: the host pid of guest NAME's monitor, from its run file.
monitor_pid() { sed -n 3p "/run/vservers/$1" 2>/dev/null; }
recorded_group() { sed -n 4p "/run/vservers/$1" 2>/dev/null; }
# remove_group GROUP: once what is in it has ended.
remove_group() { wait_true "rmdir '$CGR/$1' 2>/dev/null || [ ! -e '$CGR/$1' ]" 10; }

delegate .
mkdir -p "$CGR/$SLICE" "$CGR/$U1" "$CGR/$U6" "$CGR/$S" "$CGR/$SESSION"
delegate $SLICE

# --- vserver@u1.service: u1 in the unit's group ----------------------------
check "build u1 (plain init)" make_guest u1 621 --initstyle plain
printf '::respawn:/bin/sleep 100062\n' >/vservers/u1/etc/inittab
check "start u1 inside vserver@u1.service" in_group $U1 vserver u1 start
check_eq "u1's init is in the unit's group u1" "/$U1/u1" "$(group_of "$(init_pid u1)")"
check_eq "its monitor is in the unit's .supervisor leaf" "/$U1/.supervisor" \
	"$(group_of "$(monitor_pid u1)")"
check_eq "the unit's group holds no process itself" "" "$(cat "$CGR/$U1/cgroup.procs")"
check_match "its controllers are enabled for its children" "memory.*pids|pids.*memory" \
	"$(cat "$CGR/$U1/cgroup.subtree_control")"
check_eq "the run file records u1's group" "$CGR/$U1/u1" "$(recorded_group u1)"
status=$(vserver u1 status)
check_match "status names the group" "^Cgroup: +$CGR/$U1/u1\$" "$status"
check_match "and shows its tasks" '^Tasks \(cgroup\): +[1-9]' "$status"
check_match "and its memory" '^Memory \(cgroup\): +[0-9]' "$status"
check_eq "exec in u1 is at the root of u1's cgroup namespace" "0::/" \
	"$(vserver u1 exec cat /proc/self/cgroup)"
check_eq "and so is u1's init: the unit's group is out of its sight" "0::/" \
	"$(vserver u1 exec cat /proc/1/cgroup)"
check "vlimit sets u1's nproc" vlimit -c 621 --nproc 50
check_eq "in u1's group" 50 "$(cat "$CGR/$U1/u1/pids.max")"
check_match "vlimit shows it" '^nproc +[0-9]+ +- +50 ' "$(vlimit -c 621)"
u1_json=$(vserver-stat --json | grep '"name": "u1"')
check_match "vserver-stat --json has u1's group's tasks and limit" \
	'"cgroup_tasks": [1-9][0-9]*, "cgroup_tasks_max": 50,' "$u1_json"

# --- its restart after a reboot stays in the unit --------------------------
first=$(init_pid u1)
vserver u1 exec reboot -f >/dev/null 2>&1
check "u1 came back after its reboot" \
	wait_true 'restarted u1 "$first"' 20
check_eq "the restarted u1's init is in the unit's group u1" "/$U1/u1" \
	"$(group_of "$(init_pid u1)")"
check_eq "and its new monitor in .supervisor" "/$U1/.supervisor" "$(group_of "$(monitor_pid u1)")"

# --- another guest started from the unit: not its guest -------------------
check "build u5" make_guest u5 625
check "start u5 from vserver@u1.service's .supervisor" in_group $U1/.supervisor vserver u5 start
check_eq "u5 gets the default group" "/vserver/u5" "$(group_of "$(init_pid u5)")"
check_eq "which its run file records" "$CGR/vserver/u5" "$(recorded_group u5)"
check "stop u5" vserver u5 stop
check_clean "u5 left nothing" u5 625

check "stop u1" vserver u1 stop
check "the stop removed u1's group" test ! -e "$CGR/$U1/u1"
check "and left the unit's group and its .supervisor leaf to systemd" \
	test -d "$CGR/$U1" -a -d "$CGR/$U1/.supervisor"
check_eq "the stop returned once the monitor had ended: the leaf is empty" "" \
	"$(cat "$CGR/$U1/.supervisor/cgroup.procs")"
check_clean "u1 left nothing" u1 621

# --- a failed start inside the unit leaves no group ------------------------
check "build u6" make_guest u6 626
mkdir -p "$IF/u6/rlimits"
echo 5000000 >"$IF/u6/rlimits/nproc"
out=$(in_group $U6 vserver u6 start 2>&1)
check_eq "a start inside vserver@u6.service with a refused nproc fails" \
	"vserver: u6: $IF/u6/rlimits/nproc: the kernel refused pids.max '5000000': Invalid argument" \
	"$out"
check "it removed u6's group" test ! -e "$CGR/$U6/u6"
check "and left the unit's group" test -d "$CGR/$U6" -a -d "$CGR/$U6/.supervisor"
check_eq "which holds no process itself" "" "$(cat "$CGR/$U6/cgroup.procs")"
check_clean "u6 left nothing else" u6 626

# --- vservers.service: every guest of the mark in its group ----------------
for g in u2:622 u3:623 u4:624; do
	check "build ${g%:*}" make_guest ${g%:*} ${g#*:}
done
mkdir -p "$IF/u2/apps/init" "$IF/u3/apps/init" "$IF/u4/apps/init"
echo t62 >"$IF/u2/apps/init/mark"
echo t62 >"$IF/u3/apps/init/mark"
check "start-vservers inside vservers.service starts both, in parallel" \
	in_group $S start-vservers --mark t62 --start
for g in u2 u3; do
	check_eq "$g's init is in vservers.service's group $g" "/$S/$g" "$(group_of "$(init_pid $g)")"
	check_eq "$g's monitor in its .supervisor" "/$S/.supervisor" "$(group_of "$(monitor_pid $g)")"
done
check_eq "vservers.service's group holds no process itself" "" "$(cat "$CGR/$S/cgroup.procs")"
check_eq "u2's and u3's groups and the leaf are all it has" "u2 u3 .supervisor" "$(children $S)"
# systemctl reload: ExecReload= in the .control leaf, a guest marked since.
mkdir "$CGR/$S/.control"
echo t62 >"$IF/u4/apps/init/mark"
check "a reload from .control starts u4" in_group $S/.control start-vservers --mark t62 --start
check_eq "u4 is in vservers.service's group too" "/$S/u4" "$(group_of "$(init_pid u4)")"
check "stop from .control" in_group $S/.control start-vservers --mark t62 --stop
for g in u2:622 u3:623 u4:624; do
	check "the stop removed ${g%:*}'s group" test ! -e "$CGR/$S/${g%:*}"
	check_clean "${g%:*} left nothing" ${g%:*} ${g#*:}
done
check "vservers.service's group is left" test -d "$CGR/$S"
check_eq "with no monitor left in its .supervisor" "" "$(cat "$CGR/$S/.supervisor/cgroup.procs")"

# --- any other group: the default -------------------------------------------
check "start u2 from $SESSION" in_group $SESSION vserver u2 start
check_eq "u2 gets the default group" "/vserver/u2" "$(group_of "$(init_pid u2)")"
check_eq "its monitor stays in $SESSION" "/$SESSION" "$(group_of "$(monitor_pid u2)")"
check "$SESSION gets no .supervisor leaf" test ! -e "$CGR/$SESSION/.supervisor"
check "stop u2" vserver u2 stop
check_clean "u2 left nothing" u2 622

for g in u1 u2 u3 u4 u5 u6; do vserver $g delete --force >/dev/null 2>&1; done
for group in $U1/.supervisor $U1 $U6/.supervisor $U6 $S/.supervisor $S/.control $S $SLICE \
	$SESSION; do
	remove_group $group || t_fail "remove $group" "it stays: $(cat "$CGR/$group/cgroup.procs")"
done
t_done
