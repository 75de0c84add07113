# The spectator (xid 1) sees everything and changes nothing: every write,
# name change, signal, ptrace, id change and daemon connection a uid 0
# task could make is refused, each with a control.
# See testvm/probe/spectator_probe.cc.
exec vstest spectator
