# Pseudo filesystems, devices, remounts and terminals: what a guest may
# write, open, remount and push input into, each refusal with a control.
# See testvm/probe/filesystems_probe.cc.
exec vstest filesystems
