# The capability matrix, and that setuid binaries, file capabilities and
# user namespaces bring no masked capability back: testvm/probe/caps_probe.cc.
exec vstest caps
