# Issue 9, item 17: no host terminal and no host descriptor for guest code.
. /testvm/lib.sh

check "build f1" make_guest f1 231
check "start f1" vserver f1 start

# 17: standard error on a terminal, input or output not: no terminal for
# the guest, what it writes still reaches ours.
fds='for fd in 0 1 2; do test -t $fd && echo "tty$fd" >&2; done; echo "to-stderr" >&2; echo done'
out=$(vstest on-terminal sh -c "vserver f1 exec sh -c '$fds' </dev/null | cat >/dev/null" \
	</dev/null 2>&1 | tr -d '\r')
echo "$out" | sed 's/^/# /'
check_match "exec with only stderr on a terminal passes the errors on" "^to-stderr$" "$out"
check_eq "and gives the guest no terminal on any stream" "" "$(echo "$out" | grep '^tty')"
out=$(vstest on-terminal sh -c "vserver f1 exec sh -c '$fds' | cat >/dev/null" </dev/null 2>&1 |
	tr -d '\r')
check_eq "input and errors on a terminal, output piped: no terminal either" "" \
	"$(echo "$out" | grep '^tty')"
check_match "control: the errors still reach the terminal" "^to-stderr$" "$out"
# A descriptor the admin's shell left open is no business of the guest's.
vserver f1 exec sleep 1501 7</testvm/lib.sh &
exec_job=$!
check "the exec'd command runs" wait_true '[ -n "$(pid_of "sleep 1501")" ]'
sleeper=$(pid_of "sleep 1501")
check_eq "the command holds only its three streams" "0 1 2" "$(ls "/proc/$sleeper/fd" | sort -n | tr '\n' ' ' | sed 's/ $//')"
check_eq "and is vserver's own child, made in the guest's PID namespace" "$exec_job" \
	"$(sed -n 's/^PPid:\t*//p' "/proc/$sleeper/status")"
check "control: vserver itself was given fd 7" \
	sh -c "ls -l /proc/$exec_job/fd | grep -q /testvm/lib.sh"
check_eq "vserver stays in the host's PID namespace for its children" \
	"$(readlink /proc/self/ns/pid)" "$(readlink "/proc/$exec_job/ns/pid_for_children")"
kill "$sleeper"; wait "$exec_job"

# The command has a session of its own, so a signal for vserver does not
# reach it unless vserver passes it on; its exit status comes back.
vserver f1 exec sh -c 'trap "echo caught; exit 7" TERM; echo ready; while :; do sleep 1; done' \
	</dev/null >/tmp/forward.out 2>&1 &
exec_job=$!
check "the trapping command runs" wait_true 'grep -q ready /tmp/forward.out'
kill -TERM "$exec_job"
wait "$exec_job"
check_eq "SIGTERM to vserver exec reaches the command, whose status comes back" 7 "$?"
check_match "the command's trap ran" "^caught$" "$(cat /tmp/forward.out)"

# The stop command holds none of our descriptors either: with our input a
# file and our output another, it reads nothing and writes to pipes, and
# what it says reaches our output.
check "stop f1, its input and output files" sh -c 'vserver f1 stop </testvm/lib.sh >/tmp/stop.out 2>&1'
check_eq "the stop command read no input and wrote to two pipes, none of ours" "eof pipe pipe " \
	"$(cat /vservers/f1/etc/rc6.streams)"
check_match "what it said reached our output" "^Stopping the daemon\.$" "$(cat /tmp/stop.out)"
check_clean "f1 left nothing behind" f1 231
# A reader of stop's output that went away does not end the stop half-way.
check "start f1 again" vserver f1 start
sh -c 'vserver f1 stop | true'
check_eq "stop whose reader went away still stops f1 (status 3)" 3 \
	"$(vserver f1 status >/dev/null; echo $?)"
vserver f1 stop >/dev/null 2>&1

# What guest code says at start and stop reaches our terminal with its
# colours, but no other escape sequence reaches it as one (clearing the
# screen, setting the title, asking the terminal to answer into our input).
esc=$(printf '\033')
printf 'colour \033[32mgreen\033[0m, then \033[2J\033]0;owned\007\033[6n.\n' \
	>/vservers/f1/etc/rc.says
shown='then \\x1b\[2J\\x1b]0;owned\\x07\\x1b\[6n\.$'
out=$(vstest on-terminal vserver f1 start </dev/null 2>&1 | tr -d '\r')
check_match "start's guest output on a terminal keeps its colours" \
	"^colour ${esc}\[32mgreen${esc}\[0m, then" "$out"
check_match "and shows other escape sequences as text" "$shown" "$out"
out=$(vstest on-terminal vserver f1 stop </dev/null 2>&1 | tr -d '\r')
check_match "so does stop's" "$shown" "$out"
vserver f1 start >/tmp/start.out 2>&1
check "control: to a file, start passes on what the guest wrote as it is" \
	grep -q "then ${esc}\[2J${esc}]0;owned" /tmp/start.out
# A pipe may end at a terminal all the same (ssh without -t, | tee).
out=$(vserver f1 stop 2>&1 | cat)
check_match "to a pipe, stop shows the other escape sequences as text" "$shown" "$out"
out=$(vserver f1 start 2>&1 | cat)
check_match "so does start" "$shown" "$out"

# exec with only some streams on a terminal is no interactive session:
# what guest code writes to the terminal is shown as start shows it.
out=$(vstest on-terminal sh -c 'vserver f1 exec cat /etc/rc.says </dev/null' </dev/null 2>&1 |
	tr -d '\r')
check_match "exec's output to a terminal, input not, keeps its colours" \
	"^colour ${esc}\[32mgreen${esc}\[0m, then" "$out"
check_match "and shows other escape sequences as text" "$shown" "$out"
out=$(vstest on-terminal sh -c 'vserver f1 exec sh -c "cat /etc/rc.says >&2" </dev/null | cat' \
	</dev/null 2>&1 | tr -d '\r')
check_match "so does its errors' output" "$shown" "$out"
# An error quoting what the guest wrote (a field of its /etc/passwd) is a
# line of text too.
printf 'mallory:x:1\033[2J\033]0;owned\007:1:m:/:/bin/sh\n' >>/vservers/f1/etc/passwd
out=$(vstest on-terminal sh -c 'vserver f1 suexec mallory true </dev/null' </dev/null 2>&1 |
	tr -d '\r')
check_match "suexec's error shows the guest's uid field as text" \
	'uid .1\\x1b\[2J\\x1b]0;owned\\x07. is not a number' "$out"
vserver f1 stop >/dev/null 2>&1
check "delete f1" vserver f1 delete --force
t_done
