# Issue 10, own-namespace mode: a guest with spaces/net (or an interface
# of type veth) gets a network namespace and a veth pair.  Routed: the
# host routes each guest address to vsXID and the guest's default routes
# lead there; bridged: vsXID joins the bridge named as dev and the guest
# uses its gateway.  The guest administers its namespace (NET_ADMIN) and
# nothing of the host's; stop, a failed start and a start after a killed
# one leave no veth behind.  Contexts 721-730.
. /testvm/lib.sh

IF=/etc/vservers

# add_veth GUEST DIR IP PREFIX [DEV [GATEWAY]]
add_veth() {
	local d="$IF/$1/interfaces/$2"
	mkdir -p "$d"
	echo "$3" >"$d/ip"
	echo "$4" >"$d/prefix"
	[ -n "$5" ] && echo "$5" >"$d/dev"
	[ -n "$6" ] && echo "$6" >"$d/gateway"
	return 0
}

# in_guest NAME CMD...: busybox CMD in guest NAME.
in_guest() { local name=$1; shift; vserver "$name" exec /bin/busybox "$@"; }

# fetch [GUEST] ADDR PORT: the body busybox httpd at ADDR:PORT answers
# for /token, fetched with busybox nc (in GUEST if given; busybox wget
# crashes here).
fetch() {
	local request='GET /token HTTP/1.0\r\n\r\n'
	if [ $# = 3 ]; then
		in_guest "$1" sh -c "printf '$request' | /bin/busybox nc -w 5 $2 $3" 2>&1 | tail -n 1
	else
		printf "$request" | busybox nc -w 5 "$1" "$2" 2>&1 | tail -n 1
	fi
}

# http ADDR PORT: busybox httpd's -p for ADDR:PORT.
http() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }

# serve ADDR PORT: a host httpd answering /token with "host"; serving
# ADDR PORT waits until it does.
serve() {
	busybox httpd -f -p "$(http "$1" "$2")" -h /tmp/www72 >/dev/null 2>&1 &
	served="$served $!"
}
serving() { wait_true "[ \"\$(fetch $1 $2)\" = host ]"; }

# veth_gone XID: no vsXID on the host.
veth_gone() { ! ip link show "vs$1" >/dev/null 2>&1; }

# Local traffic, to 10.72.9.1 as to 127.0.0.1, goes through lo.
ip link set lo up
mkdir -p /tmp/www72
echo host >/tmp/www72/token
check "a host device for the routed guests' peer addresses" ip link add dummy72 type dummy
echo 0 >/proc/sys/net/ipv6/conf/dummy72/accept_dad
ip addr add 10.72.9.1/24 dev dummy72
ip addr add fd72:9::1/64 dev dummy72
ip link set dummy72 up
serve 10.72.9.1 8072
serve fd72:9::1 8072
serve 127.0.0.1 8072
check "the host serves on 10.72.9.1" serving 10.72.9.1 8072
check "on fd72:9::1" serving fd72:9::1 8072
check "and on its loopback" serving 127.0.0.1 8072

# --- routed -----------------------------------------------------------------
check "build r1" make_guest r1 721
add_veth r1 0 10.72.0.2 24
echo veth >"$IF/r1/interfaces/0/type"
add_veth r1 1 fd72::2 64
check "r1 starts with a veth (interfaces/0/type)" vserver r1 start
check_match "the host end vs721 is up" "vs721@[^:]*: <[A-Z_,-]*,UP[,>]" "$(ip link show vs721)"
check_match "the host routes the guest's IPv4 address to it" "^10.72.0.2 dev vs721" "$(ip -4 route show 10.72.0.2)"
check_match "and its IPv6 address" "^fd72::2 dev vs721" "$(ip -6 route show fd72::2)"
check_eq "with proxy ARP on the host end" 1 "$(cat /proc/sys/net/ipv4/conf/vs721/proxy_arp)"
check_eq "and strict reverse-path filtering" 1 "$(cat /proc/sys/net/ipv4/conf/vs721/rp_filter)"
# The guest is no router of the host's (a router advertisement from it
# would make it the host's default IPv6 router).
for setting in ipv6/conf/vs721/accept_ra ipv6/conf/vs721/accept_redirects ipv6/conf/vs721/autoconf \
		ipv4/conf/vs721/accept_redirects; do
	check_eq "the host end has $setting 0" 0 "$(cat /proc/sys/net/$setting)"
done
# Sent from the guest's namespace (with NET_RAW the guest could), a router
# advertisement naming it the default router and fd99:72::/64 on-link
# leaves the host's routes as they were; with accept_ra 1 on the host
# end, the host would have taken both (control).
advertised() { ip -6 route show dev vs721 | grep -qE '^(default|fd99:72::/64) '; }
not_advertised() { ! advertised; }
check "a router advertisement from the guest's namespace" vstest router-advert "$(init_pid r1)" eth0 fd99:72::
sleep 1
check "gives the host no route through the guest" not_advertised
echo 1 >/proc/sys/net/ipv6/conf/vs721/accept_ra
check "control: the advertisement again, to accept_ra 1" vstest router-advert "$(init_pid r1)" eth0 fd99:72::
check "which the host takes" wait_true advertised
echo 0 >/proc/sys/net/ipv6/conf/vs721/accept_ra
ip -6 route del fd99:72::/64 dev vs721 2>/dev/null
ip -6 route del default dev vs721 2>/dev/null
check "the host's routes are clean again" not_advertised
status=$(vserver r1 status)
check_match "status tells its own namespace and veth" "^Network: +its own namespace, veth vs721 \(routed\)$" "$status"
check_match "and its addresses" "^Addresses: +10.72.0.2 fd72::2$" "$status"
check "the guest's addresses are not the host's" sh -c '! ip addr | grep -q "10.72.0.2/"'
guest_devices=$(in_guest r1 cat /proc/net/dev | sed -n 's/^ *\([^:]*\):.*/\1/p' | tr '\n' ' ')
check_match "the guest sees lo and eth0" "(^| )eth0 .*lo |(^| )lo .*eth0 " "$guest_devices"
check "and none of the host's devices" sh -c "! echo '$guest_devices' | grep -qE 'dummy72|vs721|eth1'"
check_match "eth0 holds its IPv4 address" "inet 10.72.0.2/24 " "$(in_guest r1 ip -4 addr show dev eth0)"
check_match "and its IPv6 address" "inet6 fd72::2/64 " "$(in_guest r1 ip -6 addr show dev eth0)"
check_match "its IPv4 default route is the link" "^default dev eth0" "$(in_guest r1 ip -4 route)"
check_match "its IPv6 default route is fe80::1 on it" "^default via fe80::1 dev eth0" "$(in_guest r1 ip -6 route)"
check_eq "the guest reaches the host over IPv4" host "$(fetch r1 10.72.9.1 8072)"
check_eq "and over IPv6" host "$(fetch r1 fd72:9::1 8072)"
check_eq "ICMP datagram sockets (ping) are open to every group in its namespace" "0	2147483647" \
	"$(in_guest r1 cat /proc/sys/net/ipv4/ping_group_range)"
check_match "a raw socket is not, without NET_RAW in its bounding set" "permission denied" \
	"$(in_guest r1 ping -c 1 -W 5 10.72.9.1 2>&1)"
mkdir -p "/vservers/r1/www"
echo r1 >/vservers/r1/www/token
in_guest r1 httpd -p 10.72.0.2:8080 -h /www
check_eq "the host reaches a guest service over IPv4" r1 "$(fetch 10.72.0.2 8080)"
in_guest r1 httpd -p "[fd72::2]:8080" -h /www
check_eq "and over IPv6" r1 "$(fetch fd72::2 8080)"
check "127.0.0.1:8072 in the guest is free though the host serves on its own" \
	in_guest r1 httpd -p 127.0.0.1:8072 -h /www
check_eq "and the guest reaches its own there" r1 "$(fetch r1 127.0.0.1 8072)"

# NET_ADMIN in its namespace, none over the host's.
check_match "its bounding set holds NET_ADMIN" "NET_ADMIN" "$(vattribute --xid 721 --get | grep '^bcaps:')"
check "the guest adds an address to its eth0" in_guest r1 ip addr add 10.72.5.5/32 dev eth0
check "and a dummy link of its own" in_guest r1 ip link add d721 type dummy
check "and a route" in_guest r1 ip route add 10.72.6.0/24 dev eth0
check "none of that reached the host" sh -c '! ip addr | grep -q 10.72.5.5 && ! ip link show d721 2>/dev/null && ! ip route | grep -q 10.72.6.0'
host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
check "the guest turns forwarding on in its namespace" in_guest r1 sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
check_eq "which it reads back" 1 "$(in_guest r1 cat /proc/sys/net/ipv4/ip_forward)"
check_eq "and the host's is as it was" "$host_forward" "$(cat /proc/sys/net/ipv4/ip_forward)"
check "the guest takes its eth0 down" in_guest r1 ip link set eth0 down
check_match "which leaves the host end up (the host's side)" "vs721@[^:]*: <[A-Z_,-]*,UP[,>]" "$(ip link show vs721)"

check "stop r1" vserver r1 stop
check "the veth pair is gone with it" veth_gone 721
check "and its host routes" sh -c '! ip route | grep -q 10.72.0.2'
check_clean "r1 left nothing behind" r1 721
check "r1 starts again at once" vserver r1 start
check_eq "and reaches the host again" host "$(fetch r1 10.72.9.1 8072)"
check "stop r1 again" vserver r1 stop
check "gone again" veth_gone 721

# --- bridged ----------------------------------------------------------------
check "a host bridge" ip link add br72 type bridge
ip addr add 10.72.1.1/24 dev br72
ip link set br72 up
serve 10.72.1.1 8072
check "the host serves on the bridge" serving 10.72.1.1 8072
check "build b1" make_guest b1 722
mkdir -p "$IF/b1/spaces"
touch "$IF/b1/spaces/net"
add_veth b1 0 10.72.1.2 24 br72 10.72.1.1
echo NET_RAW >"$IF/b1/bcapabilities"
check "b1 starts on the bridge (spaces/net)" vserver b1 start
check_match "status tells the bridge" "^Network: +its own namespace, veth vs722 \(bridge br72\)$" \
	"$(vserver b1 status)"
check_match "vs722 is a port of br72" "vs722@[^:]*: .* master br72 " "$(ip link show vs722)"
check "no host route for a bridged guest" sh -c '! ip route | grep -q "10.72.1.2 "'
check_match "its default route is the gateway" "^default via 10.72.1.1 dev eth0" "$(in_guest b1 ip -4 route)"
check_eq "it reaches the host through the bridge" host "$(fetch b1 10.72.1.1 8072)"
check "with NET_RAW in its bounding set it pings the host (a raw socket in its namespace)" \
	in_guest b1 ping -c 1 -W 5 10.72.1.1
check "r1 and b1 run at once" vserver r1 start
check "r1 sees nothing of b1's" sh -c "! vserver r1 exec /bin/busybox ip addr | grep -q 10.72.1.2"
check "stop r1" vserver r1 stop
check "stop b1" vserver b1 stop
check "b1's veth is gone" veth_gone 722
check_eq "the bridge has no port left" "" "$(ls /sys/class/net/br72/brif)"

# --- refusals ----------------------------------------------------------------
check "build e1" make_guest e1 723
add_veth e1 0 10.72.2.2 24 dummy72
echo veth >"$IF/e1/interfaces/0/type"
check_eq "a dev that is no bridge fails the start with one line" \
	"vserver: e1: network device dummy72 is not a bridge" "$(vserver e1 start 2>&1)"
check "and leaves no veth" veth_gone 723
check_clean "nor anything else" e1 723
rm "$IF/e1/interfaces/0/dev"
echo hide_netif >"$IF/e1/nflags"
check_eq "nflags with a namespace of its own is an error" \
	"vserver: $IF/e1/nflags: applies to the shared network stack only; this guest has its own network namespace (spaces/net or an interface of type veth)" \
	"$(vserver e1 start 2>&1)"
rm "$IF/e1/nflags"
ip link add vs723 type dummy
check_eq "a device of another type under the guest's veth name is not touched" \
	"vserver: e1: network device vs723 is not a veth; not removing it" "$(vserver e1 start 2>&1)"
check "it is still there" ip link show vs723
ip link del vs723
ip link add vs723 type veth
check "a stale veth of the guest's is replaced" vserver e1 start
check_eq "by one pair" 1 "$(ip link show | grep -c ' vs723[@:]')"
check "stop e1" vserver e1 stop
check "gone" veth_gone 723

# --- a killed start -----------------------------------------------------------
slow_pre_start e1 32
vserver e1 start >/dev/null 2>&1 & starter=$!
check "the slow hook started, after the veth was made" wait_exists /tmp/e1-hook.started 10
check "the veth is there while the start runs" ip link show vs723
kill -9 $starter; wait $starter
check_clean "a killed launcher: its monitor undid the start" e1 723
check "the veth with it" wait_true 'veth_gone 723' 10
rm "$IF/e1/scripts/pre-start"

for pid in $served; do kill "$pid"; done
check "delete r1" vserver r1 delete --force
check "delete b1" vserver b1 delete --force
check "delete e1" vserver e1 delete --force
ip link del br72
ip link del dummy72
t_done
