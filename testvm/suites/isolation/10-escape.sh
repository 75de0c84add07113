# Root in a guest tries to see, signal, trace, reach or leave what is not
# its own, and to do what only the host may: each attempt with its exact
# errno and a control.  See testvm/probe/escape_probe.cc and
# barrier_probe.cc for the cases.
exec vstest escape
