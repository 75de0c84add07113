# The module's races, stressed on every CPU with lockdep, KASAN and
# kmemleak watching: create, exit and create again of one xid; a seal
# racing sets from inside; a host seal racing the context's end; one kill
# of a guest that keeps forking; a killed context refusing new tasks; a
# create refused (EBUSY), not left waiting, while a read held in a page
# fault holds the release of its xid's last context.
# The probe is testvm/probe/race_probe.cc.
. /testvm/lib.sh

cpus=$(grep -c '^processor' /proc/cpuinfo)
check "the races run on 2 or more CPUs ($cpus)" test "$cpus" -ge 2
vstest races 2>&1 | relay_checks "vstest races" 33
t_done
