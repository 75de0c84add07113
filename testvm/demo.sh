#!/bin/sh
# What "make demo" shows: a process moving into a context.
insmod /testvm/vserver.ko
step() { printf '\n\033[1m# %s\033[0m\n' "$*"; }

step "The module is loaded; /proc/virtual/info:"
cat /proc/virtual/info
step "This shell runs in the host context:"
echo "vserver-info self XID -> $(vserver-info self XID)"
step "vcontext --create --xid 42 --name demo -- sh -c '...'"
vcontext --create --xid 42 --name demo -- sh -c '
	echo "inside: my context is $(vserver-info self XID); my child says $(sh -c "vserver-info self XID")"
	echo "inside: /proc/virtual/42/info:"; sed "s/^/    /" /proc/virtual/42/info
	echo "inside: trying to create context 43 as root:"
	vcontext --create --xid 43 -- true 2>&1 | sed "s/^/    /"
	echo "inside: trying to go back to the host context:"
	vcontext --migrate --xid 1 -- true 2>&1 | sed "s/^/    /"
'
step "Back in the host: context $(vserver-info self XID); a long-running guest:"
setsid vcontext --create --xid 7 --name web1 -- sh -c 'sleep 1000 & sleep 1000 & wait' &
sleep 1
vserver-info
step "Its last task ends, so does the context:"
kill -KILL -$!
wait
sleep 0.5
vserver-info
