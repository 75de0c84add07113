/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vserver - generic netlink protocol of the vserver module
 *
 * This header is the one definition of the protocol: the module and the
 * util-vserver tools both build against it.
 *
 * Family "vserver" (VSERVER_GENL_NAME), version VSERVER_GENL_VERSION.
 * Every request is validated strictly: an attribute the command does not
 * take, an attribute of the wrong type or length, an out-of-range value,
 * non-zero reserved header bits or unexpected netlink flags are refused
 * with -EINVAL or -ERANGE and an extended-ack message naming the fault.
 *
 * Permissions:
 *   "host admin"  the caller needs CAP_NET_ADMIN (checked by the generic
 *                 netlink core) and CAP_SYS_ADMIN, and must be in the host
 *                 context (xid 0).  Otherwise -EPERM.
 *   "visible"     any caller; a guest only sees its own context and its own
 *                 tasks, the host and the spectator see everything.
 *
 * Commands (every doit may be sent with NLM_F_ACK):
 *
 * VSERVER_CMD_CTX_CREATE - create a guest context and move the caller in
 *   doit, host admin.  The caller must be single-threaded: it becomes the
 *   first task of the new context, whose lifetime is that of its tasks.
 *   Request: VSERVER_A_XID (u32, VSERVER_GUEST_XID_MIN..VSERVER_GUEST_XID_MAX,
 *            required), VSERVER_A_NAME (string, optional).
 *   Errors:  EPERM   not host admin
 *            EINVAL  missing xid, bad name, unknown attribute
 *            ERANGE  xid out of range (this includes the reserved 0 and 1)
 *            EEXIST  a context with this xid exists
 *            EBUSY   the caller has more than one thread
 *            ENODEV  the module is being unloaded
 *            ENOMEM
 *
 * VSERVER_CMD_CTX_MIGRATE - move the caller into an existing context
 *   doit, host admin.  Same single-thread rule.  xid 1 moves the caller
 *   into the spectator context, which has no state of its own.
 *   Request: VSERVER_A_XID (u32, VSERVER_SPECTATOR_XID..VSERVER_GUEST_XID_MAX,
 *            required).
 *   Errors:  EPERM, EINVAL, ERANGE, EBUSY as above
 *            ESRCH   no such context, or it is ending
 *
 * VSERVER_CMD_CTX_GET - describe one context, or all
 *   doit: Request VSERVER_A_XID (required).  Errors: EINVAL, ERANGE;
 *         ESRCH when there is no such context visible to the caller.
 *   dump: one message per visible context, in xid order.
 *   Visible.  Reply (one per context): VSERVER_A_XID, VSERVER_A_NAME (only
 *   if the context has one), VSERVER_A_TASKS, VSERVER_A_UPTIME_NS.
 *
 * VSERVER_CMD_TASK_GET - the context of a task
 *   doit, visible.  Request: VSERVER_A_PID (u32, optional: the caller when
 *   absent), a pid in the caller's PID namespace.
 *   Reply: VSERVER_A_PID, VSERVER_A_XID.
 *   Errors:  EINVAL, ERANGE; ESRCH when there is no such task visible to
 *            the caller.
 */

#ifndef _UAPI_LINUX_VSERVER_H
#define _UAPI_LINUX_VSERVER_H

#define VSERVER_GENL_NAME	"vserver"
#define VSERVER_GENL_VERSION	1

/* The host: every task not moved into a context, and every kernel thread. */
#define VSERVER_HOST_XID	0
/* Sees every task, may change nothing; has no state of its own. */
#define VSERVER_SPECTATOR_XID	1
/* Range of guest context ids. */
#define VSERVER_GUEST_XID_MIN	2
#define VSERVER_GUEST_XID_MAX	65535

/*
 * Longest context name, without the terminating NUL.  A name is made of
 * ASCII letters, digits, '.', '_' and '-', and does not start with '.' or
 * '-'.
 */
#define VSERVER_NAME_MAX	64

/**
 * enum vserver_cmd - generic netlink commands of the vserver family
 * @VSERVER_CMD_UNSPEC: unused
 * @VSERVER_CMD_CTX_CREATE: create a context and move the caller in
 * @VSERVER_CMD_CTX_MIGRATE: move the caller into a context
 * @VSERVER_CMD_CTX_GET: describe a context (doit) or all of them (dump)
 * @VSERVER_CMD_TASK_GET: tell the context of a task
 * @__VSERVER_CMD_MAX: number of commands, for range checks
 */
enum vserver_cmd {
	VSERVER_CMD_UNSPEC,
	VSERVER_CMD_CTX_CREATE,
	VSERVER_CMD_CTX_MIGRATE,
	VSERVER_CMD_CTX_GET,
	VSERVER_CMD_TASK_GET,
	__VSERVER_CMD_MAX,
};

#define VSERVER_CMD_MAX (__VSERVER_CMD_MAX - 1)

/**
 * enum vserver_attr - attributes of the vserver family
 * @VSERVER_A_UNSPEC: unused
 * @VSERVER_A_XID: u32, a context id
 * @VSERVER_A_NAME: NUL-terminated string of at most VSERVER_NAME_MAX
 *		    characters, the context's name
 * @VSERVER_A_PID: u32, a pid in the caller's PID namespace
 * @VSERVER_A_TASKS: u32, number of tasks (threads) in a context, counted
 *		     from fork until reaped
 * @VSERVER_A_UPTIME_NS: u64, nanoseconds since the context was created,
 *			 on the boot-time clock
 * @VSERVER_A_PAD: padding for 64-bit attributes
 * @__VSERVER_A_MAX: number of attributes, for range checks
 */
enum vserver_attr {
	VSERVER_A_UNSPEC,
	VSERVER_A_XID,
	VSERVER_A_NAME,
	VSERVER_A_PID,
	VSERVER_A_TASKS,
	VSERVER_A_UPTIME_NS,
	VSERVER_A_PAD,
	__VSERVER_A_MAX,
};

#define VSERVER_A_MAX (__VSERVER_A_MAX - 1)

#endif /* _UAPI_LINUX_VSERVER_H */
