# Keys, System V IPC objects, abstract socket names, lock holders and
# priority loops are per context, each refusal with a control.
# See testvm/probe/objects_probe.cc.
exec vstest objects
