# The counted limits: open files, sockets, System V semaphore sets, the
# semaphores in them, message queues and file locks refuse the request one
# past the limit with EMFILE, ENOBUFS, ENOSPC or ENOLCK, count the hit in
# /proc/virtual/<xid>/limit, and return to zero when freed.  See
# testvm/probe/limits_probe.cc.
exec vstest limits
