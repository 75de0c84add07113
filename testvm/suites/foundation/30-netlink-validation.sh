# Every malformed or unauthorised request gets its exact errno: see
# testvm/probe/vstest.cc for the cases.  The kernel log is checked for
# warnings by the harness after the run.
exec vstest netlink
