# Keys, System V IPC objects, abstract socket names, lock holders and
# priority loops are per context, each refusal with a control.
# What the kernel keeps for a guest is charged to its memory cgroup.
# See testvm/probe/objects_probe.cc and charges_probe.cc.
exec vstest objects
