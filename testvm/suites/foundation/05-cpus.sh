# The races the suites stress only show on more than one CPU: the kernel
# must bring up every CPU QEMU gives it (testvm/run passes the count).
. /testvm/lib.sh

given=$(sed -n 's/.*vstest.cpus=\([0-9]*\).*/\1/p' /proc/cmdline)
check_match "testvm/run says how many CPUs QEMU gives" "^[2-9][0-9]*$" "$given"
check_eq "every CPU QEMU gives is online" "$given" "$(grep -c '^processor' /proc/cpuinfo)"
t_done
