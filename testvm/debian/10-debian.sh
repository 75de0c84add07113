# A Debian guest made by "build -m debootstrap" on the host (see
# testvm/check-debootstrap): Debian's own programs and account files at
# work in a context.
. /testvm/lib.sh

check_match "start the Debian guest shows its start command's output" "^Debian is up.$" \
	"$(vserver debian start 2>&1)"
check "it is running" vserver debian running
check_match "it is Debian 12" "^12\." "$(vserver debian exec cat /etc/debian_version)"
check_eq "its nodename is its name" debian "$(vserver debian exec hostname)"
check_match "dpkg knows its packages" "^ii +dpkg " "$(vserver debian exec dpkg -l dpkg | tail -n 1)"
check_match "apt runs" "^apt [0-9]" "$(vserver debian exec apt-get --version | head -n 1)"
check_eq "suexec finds Debian's nobody" "65534 65534" \
	"$(vserver debian suexec nobody sh -c 'echo $(id -u) $(id -g)')"
check_eq "and a system user by name" "1" "$(vserver debian suexec daemon id -u)"
check_eq "enter runs Debian's shell on piped commands" "debian 0" \
	"$(echo 'echo $(hostname) $(id -u)' | vserver debian enter 2>/dev/null | tail -n 1)"
check_match "its pid 1 is the reaper, shown as init" "^init$" \
	"$(vserver debian exec cat /proc/1/comm)"
check_eq "the guest sees only its own processes" "" \
	"$(vserver debian exec sh -c 'cat /proc/[0-9]*/cmdline' | tr '\0' ' ' | grep -o /testvm)"
check "stop it" vserver debian stop
check_clean "it left nothing behind" debian 250
check "delete it" vserver debian delete --force
check "its root is gone" sh -c "! test -e /vservers/debian"
t_done
