# The network set: a guest confined to its addresses on the shared host
# network stack binds, sends from, listens on, loops back to and sees only
# what is its own, opens no packet socket, and administers nothing; a
# guest with CAP_NET_ADMIN administers a network namespace of its own
# (owned by a user namespace of its own) and nothing else; each refusal
# with a control.  Dummy interfaces and xids 6500-6599 are the
# probe's.  See testvm/probe/net_probe.cc.
exec vstest network
