# Issue 10, userland: a guest's interfaces/ on the shared host stack.
# start adds exactly its addresses (prefix, broadcast, label) to a host
# device and gives its context the network set; stop removes exactly
# them; conflicts with the host's or another guest's addresses are
# refused with one line and leave nothing; "shared" allows them; util-
# vserver's unsupported nflags are refused; a killed start is cleaned up;
# naddress changes a running guest's set; chbind confines a command.
# Contexts 701-720.
. /testvm/lib.sh

IF=/etc/vservers

# v4_on DEV: the IPv4 addresses of DEV as busybox ip shows them, one
# "ADDR/PREFIX [brd B] LABEL" line each, sorted (the kernel lists
# secondaries after primaries).
v4_on() {
	ip -4 addr show dev "$1" | sed 's/ secondary / /' |
		sed -n 's/^ *inet \([^ ]*\) \(brd [^ ]* \)\{0,1\}scope [a-z]* \(.*\)$/\1 \2\3/p' | sort
}

# add_iface GUEST DIR IP PREFIX [DEV|nodev] [NAME]
add_iface() {
	local d="$IF/$1/interfaces/$2"
	mkdir -p "$d"
	echo "$3" >"$d/ip"
	echo "$4" >"$d/prefix"
	if [ "${5:-dummy70}" = nodev ]; then touch "$d/nodev"; else echo "${5:-dummy70}" >"$d/dev"; fi
	[ -n "$6" ] && echo "$6" >"$d/name"
	return 0
}

# pids_of TEXT: every pid whose command line is exactly TEXT.
pids_of() {
	local dir
	for dir in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null)" = "$1 " ] && echo "${dir#/proc/}"
	done
}

# bind_fails_with CMD...: what CMD (a busybox httpd -f -p ADDR:PORT)
# prints.  A bind that fails ends httpd at once with "bind: Cannot assign
# requested address" (EADDRNOTAVAIL); one that works would keep it
# serving, silent, so a time-out ends it: a generous one, which only a
# failing check waits out, since a loaded VM starts a tool slowly.
bind_fails_with() { timeout 60 "$@" 2>&1; }

# dummy70: the kernel's own dummy0 (CONFIG_DUMMY=y) exists already.
check "a dummy device for the guests' addresses" ip link add dummy70 type dummy
check "with an address of the host's own" ip addr add 10.70.0.1/24 dev dummy70
host_before=$(v4_on dummy70)
check_eq "control: the host address is there, once" "10.70.0.1/24 dummy70" "$host_before"

check "build n1" make_guest n1 701
add_iface n1 00 10.70.0.11 24 dummy70 web
add_iface n1 01 10.70.1.12 16 dummy70
ip link set dummy70 down

# --- start adds exactly those addresses, stop removes exactly them -------
check "n1 starts with two interfaces" vserver n1 start
check_eq "start added both with prefix, broadcast and label, and nothing else" \
	"10.70.0.1/24 dummy70
10.70.0.11/24 brd 10.70.0.255 dummy70:web
10.70.1.12/16 brd 10.70.255.255 dummy70" "$(v4_on dummy70)"
check_match "and set the device up (it was down)" "<[A-Z_,]*,UP[,>]" "$(ip link show dev dummy70)"
check_eq "its run state records what it added" "dummy70 10.70.0.11/24
dummy70 10.70.1.12/16" "$(cat /run/vservers/.addresses.n1)"
check_match "status shows its addresses" "^Addresses: +10.70.0.11 10.70.1.12$" "$(vserver n1 status)"
check_match "vserver-stat shows them after the name" "^701 .* n1 10.70.0.11,10.70.1.12$" "$(vserver-stat)"
check_match "vserver-stat --json has them" \
	'"name": "n1".*"addresses": \["10.70.0.11", "10.70.1.12"\]' "$(vserver-stat --json)"
attrs=$(vattribute --xid 701 --get)
check_match "CTX_GET: the context's set, in order" "^addresses: 10.70.0.11 10.70.1.12$" "$attrs"
check_match "CTX_GET: hide_netif and raw_icmp by default" "^nflags: hide_netif$" "$attrs"
check_match "CTX_GET: raw_icmp by default" "^ncaps: raw_icmp$" "$attrs"
check_match "CTX_GET: the kernel's default loopback 127.1.2.189 (701 = 2*256+189)" \
	"^lback: 127.1.2.189$" "$attrs"
check_match "the guest cannot bind the host's address (EADDRNOTAVAIL)" \
	"Cannot assign requested address" \
	"$(bind_fails_with vserver n1 exec /bin/busybox httpd -f -p 10.70.0.1:8081)"
vserver n1 exec /bin/busybox httpd -f -p 10.70.0.11:8081 >/tmp/n1-httpd.out 2>&1 & n1_job=$!
check "control: the guest binds its own address" \
	wait_true '[ -n "$(pid_of "/bin/busybox httpd -f -p 10.70.0.11:8081")" ]'
sleep 1
check_eq "and keeps serving on it" "" "$(cat /tmp/n1-httpd.out)"
kill "$(pid_of "/bin/busybox httpd -f -p 10.70.0.11:8081")" 2>/dev/null; wait $n1_job
check "stop n1" vserver n1 stop
check_eq "stop removed exactly its addresses, the host's stays" "$host_before" "$(v4_on dummy70)"
check "and its record" sh -c '! test -e /run/vservers/.addresses.n1'
check_clean "n1 left nothing behind" n1 701

# --- conflicts: one line, nothing left behind ----------------------------
check "build n2" make_guest n2 702
add_iface n2 00 10.70.3.21 24 dummy70
add_iface n2 01 10.70.0.1 24 dummy70
out=$(vserver n2 start 2>&1); status=$?
check_eq "the host's address fails the start" 1 "$([ $status -ne 0 ] && echo 1)"
check_eq "with one line naming the interface and saying why" \
	"vserver: n2: $IF/n2/interfaces/01: 10.70.0.1 is already configured on the host; a 'shared' file here allows that" \
	"$out"
check_eq "nothing added stays on the host" "$host_before" "$(v4_on dummy70)"
check "nor a record" sh -c '! test -e /run/vservers/.addresses.n2'
check_clean "nor anything else" n2 702

touch "$IF/n2/interfaces/01/shared"
check "shared: the host's address is allowed" vserver n2 start
check_match "n2 holds it" "^addresses: 10.70.3.21 10.70.0.1$" "$(vattribute --xid 702 --get)"
check_eq "only its own address was recorded, not the host's" "dummy70 10.70.3.21/24" \
	"$(cat /run/vservers/.addresses.n2)"
check "stop n2" vserver n2 stop
check_eq "the shared host address stays after its stop" "$host_before" "$(v4_on dummy70)"
rm -r "$IF/n2/interfaces/01"

check "n1 starts again" vserver n1 start
add_iface n2 02 10.70.0.11 24 nodev
out=$(vserver n2 start 2>&1)
check_eq "another running guest's address is refused, nodev too" \
	"vserver: n2: $IF/n2/interfaces/02: 10.70.0.11 belongs to running context 701 (n1); a 'shared' file here allows that" \
	"$out"
check_clean "that refusal left nothing behind" n2 702
check_eq "and n1's addresses are untouched" "10.70.0.1/24 dummy70
10.70.0.11/24 brd 10.70.0.255 dummy70:web
10.70.1.12/16 brd 10.70.255.255 dummy70" "$(v4_on dummy70)"
touch "$IF/n2/interfaces/02/shared"
check "shared: it is allowed" vserver n2 start
check_match "both hold it" "^addresses: 10.70.3.21 10.70.0.11$" "$(vattribute --xid 702 --get)"
check "stop n2" vserver n2 stop
check_match "n1 keeps it after n2's stop" "10.70.0.11/24" "$(v4_on dummy70)"
rm -r "$IF/n2/interfaces/02"
add_iface n2 03 10.70.9.9 24 nodev
check_match "nodev: the address must be the host's already" \
	"interfaces/03: 10.70.9.9 is not configured on the host \(nodev: it must be there already\)$" \
	"$(vserver n2 start 2>&1)"
rm -r "$IF/n2/interfaces/03"

# --- util-vserver's nflags and ncapabilities ------------------------------
echo lock >"$IF/n2/nflags"
out=$(vserver n2 start 2>&1)
check_eq "an unsupported nflag is refused with one line" \
	"vserver: $IF/n2/nflags:1: network flag 'lock' is not supported" "$out"
printf 'single_ip\n~hide_netif\nlback_remap\n' >"$IF/n2/nflags"
echo tun_create >"$IF/n2/ncapabilities"
check_eq "an unsupported ncapability too" \
	"vserver: $IF/n2/ncapabilities:1: network capability 'tun_create' is not supported" \
	"$(vserver n2 start 2>&1)"
printf 'raw\n~raw_icmp\n' >"$IF/n2/ncapabilities"
echo 127.0.70.2 >"$IF/n2/interfaces/lback"
check "supported flags, capabilities and a loopback address start" vserver n2 start
attrs=$(vattribute --xid 702 --get)
check_match "single_ip set, hide_netif cleared" "^nflags: single_ip$" "$attrs"
check_match "raw set, raw_icmp cleared" "^ncaps: raw$" "$attrs"
check_match "the loopback address of interfaces/lback" "^lback: 127.0.70.2$" "$attrs"

# --- naddress on a running guest -------------------------------------------
check "naddress adds an address to n1 and dummy70" \
	naddress --nid 701 --add --ip 10.70.2.13/24 --dev dummy70
check_match "CTX_GET has it, last" "^addresses: 10.70.0.11 10.70.1.12 10.70.2.13$" \
	"$(vattribute --xid 701 --get)"
check_match "vserver-stat shows it" "^701 .* n1 10.70.0.11,10.70.1.12,10.70.2.13$" "$(vserver-stat)"
check_match "the host device has it" "^10.70.2.13/24 brd 10.70.2.255 dummy70$" "$(v4_on dummy70)"
check_match "another running guest's address is refused" \
	"^naddress: 10.70.0.11 belongs to running context 701 \(n1\) \(--shared allows that\)$" \
	"$(naddress --xid 702 --add --ip 10.70.0.11 2>&1)"
check "--shared allows it" naddress --xid 702 --add --ip 10.70.0.11 --shared
check_match "n2 has it then" "^addresses: 10.70.3.21 10.70.0.11$" "$(vattribute --xid 702 --get)"
check "naddress removes it from n2" naddress --xid 702 --remove --ip 10.70.0.11
check_match "n2 has it no more" "^addresses: 10.70.3.21$" "$(vattribute --xid 702 --get)"
check "naddress removes n1's new address with --dev" \
	naddress --nid 701 --remove --ip 10.70.2.13 --dev dummy70
check_match "gone from CTX_GET" "^addresses: 10.70.0.11 10.70.1.12$" "$(vattribute --xid 701 --get)"
check_match "and from vserver-stat" "^701 .* n1 10.70.0.11,10.70.1.12$" "$(vserver-stat)"
check "and from the device" sh -c "! ip -4 addr show dev dummy70 | grep -q 10.70.2.13"
check_match "removing an address it does not have is refused" \
	"^naddress: context 701 has no address 10.70.2.13$" \
	"$(naddress --nid 701 --remove --ip 10.70.2.13 2>&1)"
check "stop n2" vserver n2 stop
check "stop n1" vserver n1 stop
check_eq "the device holds the host's address alone again" "$host_before" "$(v4_on dummy70)"

# --- a killed start ----------------------------------------------------------
check "build n3" make_guest n3 703
add_iface n3 00 10.70.4.31 24 dummy70
slow_pre_start n3 31
vserver n3 start >/dev/null 2>&1 & starter=$!
check "the slow hook started, after the address was added" wait_exists /tmp/n3-hook.started 10
check_match "the address is there while the start runs" "10.70.4.31/24" "$(v4_on dummy70)"
kill -9 $starter; wait $starter
check_clean "a killed launcher: its monitor undid the start" n3 703
check "the address with it" wait_true '! ip -4 addr show dev dummy70 | grep -q 10.70.4.31' 10

rm -f /tmp/n3-hook.started
vserver n3 start >/dev/null 2>&1 &
check "again: the slow hook started" wait_exists /tmp/n3-hook.started 10
# The launcher and its monitor both (same command line), so nothing of
# ours is left to undo the start.
for pid in $(pids_of "vserver n3 start"); do kill -9 "$pid"; done
check "the guest's first process died with its monitor, and the hook with it" \
	wait_true '[ -z "$(pid_of "sleep 31")" ]' 10
check "no context was left" sh -c '! test -e /proc/virtual/703'
check_match "the address stayed behind" "10.70.4.31/24" "$(v4_on dummy70)"
check "recorded in n3's run state" grep -qx "dummy70 10.70.4.31/24" /run/vservers/.addresses.n3
rm "$IF/n3/scripts/pre-start"
check "the next start works (the stale address would be the host's otherwise)" vserver n3 start
check_eq "and the address is there once" 1 "$(ip -4 addr show dev dummy70 | grep -c 10.70.4.31)"
check "stop n3" vserver n3 stop
check_eq "stop removed it" "$host_before" "$(v4_on dummy70)"
check_clean "n3 left nothing behind" n3 703

# --- chbind ---------------------------------------------------------------------
ip addr add 10.70.5.1/24 dev dummy70
check_match "chbind: the command cannot bind an address not its own (EADDRNOTAVAIL)" \
	"Cannot assign requested address" \
	"$(bind_fails_with chbind --silent --nid 720 --ip 10.70.0.1 -- busybox httpd -f -p 10.70.5.1:8082)"
check_eq "control: the host binds that address (httpd serves until the time-out)" 143 \
	"$(timeout 2 busybox httpd -f -p 10.70.5.1:8082 >/dev/null 2>&1; echo $?)"
chbind --silent --nid 720 --ip 10.70.0.1 -- busybox httpd -f -p 10.70.0.1:8083 >/tmp/chbind.out 2>&1 &
httpd_job=$!
check "chbind: the command binds its own address" \
	wait_true '[ -n "$(pid_of "busybox httpd -f -p 10.70.0.1:8083")" ]'
sleep 1
check_eq "and keeps serving on it" "" "$(cat /tmp/chbind.out)"
check_eq "in context 720" 720 "$(vserver-info "$(pid_of "busybox httpd -f -p 10.70.0.1:8083")" XID)"
check_match "whose set holds only that address" "^addresses: 10.70.0.1$" "$(vattribute --xid 720 --get)"
check_match "with every capability in its bounding set" "NET_ADMIN.*SYS_ADMIN" \
	"$(vattribute --xid 720 --get | grep '^bcaps:')"
kill "$(pid_of "busybox httpd -f -p 10.70.0.1:8083")"
# Reaped: a task counts for its context until then.
wait $httpd_job
check "the context ends with the command" wait_gone /proc/virtual/720 10
chbind --silent --ip 10.70.0.1 -- sleep 1207 & sleep_job=$!
check "without --nid" wait_true '[ -n "$(pid_of "sleep 1207")" ]'
check_eq "the first free dynamic context id" 49152 "$(vserver-info "$(pid_of "sleep 1207")" XID)"
kill "$(pid_of "sleep 1207")"; wait $sleep_job
check_eq "chbind adds no address" \
	"chbind: 10.70.9.9 is not configured on the host (chbind adds no address)" \
	"$(chbind --ip 10.70.9.9 -- true 2>&1)"
check_eq "chbind refuses an unsupported flag" "chbind: network flag 'lock' is not supported" \
	"$(chbind --flag lock --ip 10.70.0.1 -- true 2>&1)"

check "delete n1" vserver n1 delete --force
check "delete n2" vserver n2 delete --force
check "delete n3" vserver n3 delete --force
ip link del dummy70
t_done
