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
 *   "setup"       host admin, or a task of the very context addressed
 *                 while that context is still in its setup state
 *                 (VSERVER_CF_STATE_SETUP), with the same capabilities.
 *   "visible"     any caller; a guest only sees its own context and its own
 *                 tasks, the host and the spectator see everything.
 *
 * Commands (every doit may be sent with NLM_F_ACK):
 *
 * VSERVER_CMD_CTX_CREATE - create a guest context and move the caller in
 *   doit, host admin.  The caller must be single-threaded: it becomes the
 *   first task of the new context, whose lifetime is that of its tasks
 *   (unless VSERVER_CF_PERSISTENT).  Unless created in the setup state,
 *   the context is sealed at once: its root directory is the caller's,
 *   and the caller's capability sets are bounded by the context's.
 *   Request: VSERVER_A_XID (u32, VSERVER_GUEST_XID_MIN..VSERVER_GUEST_XID_MAX,
 *            required), VSERVER_A_NAME (string, optional),
 *            VSERVER_A_FLAGS (u64, initial flags, optional),
 *            VSERVER_A_BCAPS (u64, bounding set, default
 *            VSERVER_BCAPS_DEFAULT), VSERVER_A_CCAPS (u64, default 0),
 *            VSERVER_A_DEVICES (the device map, default empty),
 *            VSERVER_A_NET (the network set; without it the context
 *            shares the host's network unconfined), VSERVER_A_LIMITS (the
 *            counted limits; what it omits is unlimited).
 *   Errors:  EPERM   not host admin
 *            EINVAL  missing xid, bad name, unknown flag or capability bit,
 *                    unknown attribute
 *            ERANGE  xid out of range (this includes the reserved 0 and 1)
 *            EEXIST  a context with this xid exists
 *            EBUSY   the caller has more than one thread
 *            ENODEV  the module is being unloaded
 *            E2BIG   more than VSERVER_DEVICES_MAX device rules, or more than
 *                    VSERVER_NET_ADDRS_MAX addresses of a family
 *            EADDRINUSE  the loopback address is another context's
 *            ENOMEM
 *
 * VSERVER_CMD_CTX_MIGRATE - move the caller into an existing context
 *   doit, host admin.  Same single-thread rule.  The caller's capability
 *   sets are bounded by the context's (by nothing for the spectator, xid
 *   1, which has no state of its own and may change nothing).
 *   Request: VSERVER_A_XID (u32, VSERVER_SPECTATOR_XID..VSERVER_GUEST_XID_MAX,
 *            required).
 *   Errors:  EPERM   not host admin, or the context is locked
 *                    (VSERVER_CF_LOCK)
 *            EINVAL, ERANGE, EBUSY as above
 *            ESRCH   no such context, or it is ending
 *
 * VSERVER_CMD_CTX_GET - describe one context, or all
 *   doit: Request VSERVER_A_XID (required).  Errors: EINVAL, ERANGE;
 *         ESRCH when there is no such context visible to the caller.
 *   dump: one message per visible context, in xid order.
 *   Visible.  Reply (one per context): VSERVER_A_XID, VSERVER_A_NAME (only
 *   if the context has one), VSERVER_A_TASKS, VSERVER_A_UPTIME_NS,
 *   VSERVER_A_FLAGS, VSERVER_A_BCAPS, VSERVER_A_CCAPS, VSERVER_A_DEVICES
 *   (only if the map has a rule), VSERVER_A_NET (only if the context is
 *   confined to a network set; its loopback address always included),
 *   VSERVER_A_LIMITS (every counted resource, with its use).
 *
 * VSERVER_CMD_TASK_GET - the context of a task, or of every process
 *   doit, visible.  Request: VSERVER_A_PID (u32, optional: the caller when
 *   absent), a pid in the caller's PID namespace.
 *   Reply: VSERVER_A_PID, VSERVER_A_XID.
 *   Errors:  EINVAL, ERANGE; ESRCH when there is no such task visible to
 *            the caller.
 *   dump: one message per visible process (thread-group leader), in pid
 *         order of the caller's PID namespace: VSERVER_A_PID,
 *         VSERVER_A_XID, VSERVER_A_START_NS (so that a reader of
 *         /proc/PID/stat can tell the process from a later one that reused
 *         its pid).
 *
 * VSERVER_CMD_CTX_SET - change a context's flags and capability sets
 *   doit, setup.  Each set is changed as "new = (old & ~mask) | (value &
 *   mask)"; a value without its mask replaces the whole set.
 *   Request: VSERVER_A_XID (required), and any of VSERVER_A_FLAGS with
 *            VSERVER_A_FLAGS_MASK, VSERVER_A_BCAPS with
 *            VSERVER_A_BCAPS_MASK, VSERVER_A_CCAPS with
 *            VSERVER_A_CCAPS_MASK (all u64), VSERVER_A_DEVICES (replaces
 *            the whole device map; an empty one clears it), VSERVER_A_NET
 *            (replaces the whole network set, what it omits taking its
 *            default; the host admin may do so at any time, which is how
 *            addresses are added to or removed from a running guest; a
 *            confined context never becomes unconfined).  Changes of the
 *            set are not merged: clients changing one context's set must
 *            agree among themselves (the tools hold a lock file).
 *            VSERVER_A_LIMITS changes the limits it names, and only those,
 *            and the host admin may do so at any time; a limit below the
 *            current use refuses what would add to it, and takes nothing
 *            away.
 *   Clearing VSERVER_CF_STATE_SETUP seals the context: from then on none
 *   of its tasks may change its policy, its capability bounding set is
 *   enforced, and its root directory is fixed, as the sealing task's own
 *   root when a task of the context seals it (whose capability sets are
 *   then bounded too), else as its creator's.  Clearing
 *   VSERVER_CF_PERSISTENT from a context without tasks ends it.
 *   Errors:  EPERM   not allowed (see "setup")
 *            EINVAL  missing xid, a mask without its value, an unknown
 *                    flag or capability bit, an attempt to set
 *                    VSERVER_CF_STATE_SETUP again, a malformed device
 *                    rule, or a counted limit of an unknown resource or
 *                    without VSERVER_A_LIMIT_HARD (CTX_CREATE too)
 *            E2BIG   more than VSERVER_DEVICES_MAX device rules, or more than
 *                    VSERVER_NET_ADDRS_MAX addresses of a family (CTX_CREATE
 *                    too)
 *            EADDRINUSE  the loopback address is another context's
 *                    (CTX_CREATE too)
 *            ERANGE, ESRCH as for CTX_GET
 *
 * VSERVER_CMD_CTX_KILL - send a signal to the tasks of a context
 *   doit, host admin.  Request: VSERVER_A_XID (required), VSERVER_A_SIGNAL
 *   (u32, 0..64, required; 0 only checks), VSERVER_A_PID (u32, optional:
 *   only that process, which must belong to the context; else every
 *   process of the context).  The signal is sent as by the kernel, so the
 *   tasks' credentials do not matter.  SIGKILL to every process makes the
 *   context dying: it takes no new task (fork and CTX_MIGRATE get ESRCH)
 *   until its task count is zero, and the kill is repeated until no task
 *   of it is left without SIGKILL pending.
 *   Errors:  EPERM, EINVAL, ERANGE; ESRCH for no such context, or a pid
 *            that is not in it; EAGAIN when tasks still appeared after
 *            the last pass of a SIGKILL (the context stays dying: kill
 *            again)
 *
 * VSERVER_CMD_CTX_EXIT - notification, never a request
 *   Sent to the VSERVER_MCGRP_EVENTS multicast group (in the initial
 *   network namespace; joining needs CAP_SYS_ADMIN) when a context has
 *   ended: VSERVER_A_XID, VSERVER_A_NAME (if any), VSERVER_A_EXIT_REASON.
 *   To wait for a context to end, join the group first, then check the
 *   context still exists (CTX_GET), then wait for its notification.
 */

#ifndef _UAPI_LINUX_VSERVER_H
#define _UAPI_LINUX_VSERVER_H

#include <linux/capability.h>
#include <linux/const.h>

#define VSERVER_GENL_NAME	"vserver"
#define VSERVER_GENL_VERSION	1

/* Multicast group of context notifications (VSERVER_CMD_CTX_EXIT). */
#define VSERVER_MCGRP_EVENTS	"events"

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

/*
 * Context flags (VSERVER_A_FLAGS); util-vserver's names in quotes.
 *
 * VSERVER_CF_STATE_SETUP  "state_setup": the context is being set up by
 *                         its launcher from inside: its tasks may change
 *                         its policy, and its capability bounding set is
 *                         not enforced yet.  Can only be cleared ("sealing").
 * VSERVER_CF_PERSISTENT   "persistent": the context lives on without tasks.
 * VSERVER_CF_LOCK         "lock": no task may be moved into the context.
 * VSERVER_CF_VIRT_MEM     "virt_mem": /proc/meminfo and sysinfo(2) show
 *                         the context's tasks their memory cgroup: the
 *                         tightest memory.max (and memory.swap.max) above
 *                         them as the total, its usage as used.
 * VSERVER_CF_VIRT_LOAD    "virt_load": /proc/loadavg and sysinfo(2) show
 *                         the load average of the context's own tasks,
 *                         /proc/pressure its own cgroup's stalls.
 * VSERVER_CF_VIRT_CPU     "virt_cpu": /proc/cpuinfo and /proc/stat show the
 *                         CPUs the reading task may run on (its cpuset),
 *                         /proc/stat and /proc/uptime their time (the
 *                         context's own, if its first task was in a cpu
 *                         cgroup of its own), and no interrupts:
 *                         /proc/interrupts, /proc/softirqs and
 *                         /proc/schedstat have no counts, /proc/irq and
 *                         /sys/kernel/irq are not read.
 * A context's boot clock ("virt_uptime") is a time namespace, which the
 * tools set up; it has no flag here.
 */
#define VSERVER_CF_STATE_SETUP	_BITULL(0)
#define VSERVER_CF_PERSISTENT	_BITULL(1)
#define VSERVER_CF_LOCK		_BITULL(2)
#define VSERVER_CF_VIRT_MEM	_BITULL(3)
#define VSERVER_CF_VIRT_LOAD	_BITULL(4)
#define VSERVER_CF_VIRT_CPU	_BITULL(5)
#define VSERVER_CF_ALL		(VSERVER_CF_STATE_SETUP | VSERVER_CF_PERSISTENT | \
				 VSERVER_CF_LOCK | VSERVER_CF_VIRT_MEM | \
				 VSERVER_CF_VIRT_LOAD | VSERVER_CF_VIRT_CPU)

/*
 * Capability bounding set of a context (VSERVER_A_BCAPS): bit N is
 * capability N (CAP_CHOWN is bit 0).  A guest task can never use a
 * capability outside it, whatever it executes.  CAP_NET_ADMIN in it
 * counts only over objects of a user namespace other than the initial
 * one (a network namespace the host made for the guest under a user
 * namespace of its own): the host's network is never a guest's to
 * administer.
 */
#define VSERVER_BCAPS_ALL	(_BITULL(CAP_LAST_CAP + 1) - 1)

/* util-vserver's secure default bounding set. */
#define VSERVER_BCAPS_DEFAULT	(_BITULL(CAP_CHOWN) | \
				 _BITULL(CAP_DAC_OVERRIDE) | \
				 _BITULL(CAP_DAC_READ_SEARCH) | \
				 _BITULL(CAP_FOWNER) | \
				 _BITULL(CAP_FSETID) | \
				 _BITULL(CAP_KILL) | \
				 _BITULL(CAP_SETGID) | \
				 _BITULL(CAP_SETUID) | \
				 _BITULL(CAP_NET_BIND_SERVICE) | \
				 _BITULL(CAP_SYS_CHROOT) | \
				 _BITULL(CAP_SYS_PTRACE) | \
				 _BITULL(CAP_SYS_TTY_CONFIG) | \
				 _BITULL(CAP_LEASE) | \
				 _BITULL(CAP_SETFCAP) | \
				 _BITULL(CAP_SYS_BOOT))

/*
 * Context capabilities (VSERVER_A_CCAPS): what a guest may do only if its
 * context has the bit, on top of holding any capability the operation
 * needs.  None is set by default.
 *
 * VSERVER_CCAP_SYSLOG        "syslog": read or clear the kernel log
 * VSERVER_CCAP_MODULE        "module": load modules, or have them loaded on
 *                            demand (e.g. by socket() of an unloaded family)
 * VSERVER_CCAP_KEXEC         "kexec": load a kernel for kexec
 * VSERVER_CCAP_BINARY_MOUNT  "binary_mount": mount filesystems that need a
 *                            block device, and network filesystems
 * VSERVER_CCAP_NAMESPACE     "namespace": create user namespaces
 * VSERVER_CCAP_MKNOD         "mknod": create device nodes other than null,
 *                            zero, full, random, urandom, tty and ptmx
 *                            (opening one still needs the device map)
 * VSERVER_CCAP_SYSCTL        "sysctl": write /proc/sys outside its own
 *                            network namespace's net/
 * VSERVER_CCAP_SWAP          "swap": swapon, swapoff
 * VSERVER_CCAP_BPF           "bpf": the bpf() system call
 * VSERVER_CCAP_PERF          "perf": perf_event_open()
 */
#define VSERVER_CCAP_SYSLOG		_BITULL(0)
#define VSERVER_CCAP_MODULE		_BITULL(1)
#define VSERVER_CCAP_KEXEC		_BITULL(2)
#define VSERVER_CCAP_BINARY_MOUNT	_BITULL(3)
#define VSERVER_CCAP_NAMESPACE		_BITULL(4)
#define VSERVER_CCAP_MKNOD		_BITULL(5)
#define VSERVER_CCAP_SYSCTL		_BITULL(6)
#define VSERVER_CCAP_SWAP		_BITULL(7)
#define VSERVER_CCAP_BPF		_BITULL(8)
#define VSERVER_CCAP_PERF		_BITULL(9)
#define VSERVER_CCAP_ALL		(_BITULL(10) - 1)

/*
 * The device map (VSERVER_A_DEVICES): the devices a guest may open or
 * create besides the ones every guest may (null, zero, full, random,
 * urandom, tty, ptmx and the pty slaves of its own devpts).  A guest opens
 * no other device node, wherever the node is (a template's, a bind
 * mount's), and creates no other one unless it has VSERVER_CCAP_MKNOD.
 * VSERVER_A_DEVICES holds up to VSERVER_DEVICES_MAX rules, each a nested
 * attribute (of any type; one per rule) of enum vserver_device_attr.
 */
#define VSERVER_DEVICES_MAX	64

/* VSERVER_A_DEVICE_TYPE */
#define VSERVER_DEVICE_CHAR	1
#define VSERVER_DEVICE_BLOCK	2

/* VSERVER_A_DEVICE_ACCESS */
#define VSERVER_DEVICE_OPEN	_BITUL(0)
#define VSERVER_DEVICE_CREATE	_BITUL(1)
#define VSERVER_DEVICE_ACCESS_ALL (VSERVER_DEVICE_OPEN | VSERVER_DEVICE_CREATE)

/* Largest device numbers (see MINORBITS in linux/kdev_t.h). */
#define VSERVER_DEVICE_MAJOR_MAX	4095
#define VSERVER_DEVICE_MINOR_MAX	0xfffff

/**
 * enum vserver_device_attr - attributes of one device map rule
 * @VSERVER_A_DEVICE_UNSPEC: unused
 * @VSERVER_A_DEVICE_TYPE: u32, VSERVER_DEVICE_CHAR or VSERVER_DEVICE_BLOCK
 *			   (required)
 * @VSERVER_A_DEVICE_MAJOR: u32, 0..VSERVER_DEVICE_MAJOR_MAX (required)
 * @VSERVER_A_DEVICE_MINOR: u32, 0..VSERVER_DEVICE_MINOR_MAX; absent, the
 *			    rule covers every minor of the major
 * @VSERVER_A_DEVICE_ACCESS: u32, VSERVER_DEVICE_OPEN and/or
 *			     VSERVER_DEVICE_CREATE (required, not 0)
 * @__VSERVER_A_DEVICE_MAX: number of attributes, for range checks
 */
enum vserver_device_attr {
	VSERVER_A_DEVICE_UNSPEC,
	VSERVER_A_DEVICE_TYPE,
	VSERVER_A_DEVICE_MAJOR,
	VSERVER_A_DEVICE_MINOR,
	VSERVER_A_DEVICE_ACCESS,
	__VSERVER_A_DEVICE_MAX,
};

#define VSERVER_A_DEVICE_MAX (__VSERVER_A_DEVICE_MAX - 1)

/*
 * The network set (VSERVER_A_NET): what a guest sharing the host's network
 * stack may use of it.  A confined guest
 *   - binds only its own addresses (else EADDRNOTAVAIL); a wildcard bind
 *     serves its addresses only, or is bound to its one address when it
 *     has a single one of the family (or VSERVER_NF_SINGLE_IP is set);
 *   - sends only from its own addresses: an unbound socket gets the route's
 *     preferred source if it is the guest's, else the guest's first address
 *     of the family; an explicit foreign source (IP_PKTINFO, IPV6_PKTINFO,
 *     a bind through IP_FREEBIND or IP_TRANSPARENT) fails;
 *   - has its own loopback: 127.0.0.0/8 is its loopback address
 *     (VSERVER_A_NET_LBACK) for bind, connect and send, and ::1 the
 *     v4-mapped loopback address; nothing it sends reaches a loopback
 *     service of the host or of another context;
 *   - sees only its own sockets (/proc/net, sock_diag), and only its own
 *     and loopback addresses, and with VSERVER_NF_HIDE_NETIF only the
 *     interfaces that carry one of them (and lo);
 *   - opens no packet socket, and raw IP sockets only with a VSERVER_NCAP_*
 *     bit and CAP_NET_RAW, never with a header it writes itself;
 *   - has no CAP_NET_ADMIN in the host's network namespace.
 * A wildcard listener of the host receives nothing sent to a guest's
 * address; the host and each guest may hold wildcard listeners on the same
 * port.  The same address may belong to several contexts (a shared one);
 * the loopback address may not.  An empty set (no address attribute) is a
 * guest with its loopback address only.
 */
/* Most addresses of each family in a network set (32 IPv4 and 32 IPv6). */
#define VSERVER_NET_ADDRS_MAX	32

/*
 * Network flags (VSERVER_A_NET_FLAGS); util-vserver's names in quotes.
 *
 * VSERVER_NF_HIDE_NETIF  "hide_netif": hide interfaces that carry none of
 *                        the context's addresses
 * VSERVER_NF_SINGLE_IP   "single_ip": a wildcard bind is bound to the
 *                        context's first address of the family, even when
 *                        it has several
 */
#define VSERVER_NF_HIDE_NETIF	_BITULL(0)
#define VSERVER_NF_SINGLE_IP	_BITULL(1)
#define VSERVER_NF_ALL		(VSERVER_NF_HIDE_NETIF | VSERVER_NF_SINGLE_IP)

/*
 * Network capabilities (VSERVER_A_NET_CAPS); util-vserver's names in
 * quotes.  Each also needs CAP_NET_RAW in the context's bounding set.
 *
 * VSERVER_NCAP_RAW_ICMP  "raw_icmp": raw ICMP and ICMPv6 sockets
 * VSERVER_NCAP_RAW       "raw": raw IP sockets of any protocol
 */
#define VSERVER_NCAP_RAW_ICMP	_BITULL(0)
#define VSERVER_NCAP_RAW	_BITULL(1)
#define VSERVER_NCAP_ALL	(VSERVER_NCAP_RAW_ICMP | VSERVER_NCAP_RAW)

/**
 * enum vserver_net_attr - attributes of a network set (VSERVER_A_NET)
 * @VSERVER_A_NET_UNSPEC: unused
 * @VSERVER_A_NET_FLAGS: u64, VSERVER_NF_* (default 0)
 * @VSERVER_A_NET_CAPS: u64, VSERVER_NCAP_* (default 0)
 * @VSERVER_A_NET_LBACK: 4 bytes, network order: the loopback address, in
 *			 127.0.0.0/8 but not 127.0.0.0, 127.0.0.1 or
 *			 127.255.255.255.  Default 127.1.(xid / 256).(xid % 256)
 * @VSERVER_A_NET_ADDR4: 4 bytes, network order: an IPv4 address of the
 *			 context; one attribute per address, in order (the
 *			 first is the preferred source).  Not in 0.0.0.0/8,
 *			 127.0.0.0/8 or 224.0.0.0/4, not 255.255.255.255,
 *			 each at most once
 * @VSERVER_A_NET_ADDR6: 16 bytes: an IPv6 address, the same way; not
 *			 ::, ::1, multicast or v4-mapped
 * @VSERVER_A_NET_PAD: padding for 64-bit attributes
 * @__VSERVER_A_NET_MAX: number of attributes, for range checks
 */
enum vserver_net_attr {
	VSERVER_A_NET_UNSPEC,
	VSERVER_A_NET_FLAGS,
	VSERVER_A_NET_CAPS,
	VSERVER_A_NET_LBACK,
	VSERVER_A_NET_ADDR4,
	VSERVER_A_NET_ADDR6,
	VSERVER_A_NET_PAD,
	__VSERVER_A_NET_MAX,
};

#define VSERVER_A_NET_MAX (__VSERVER_A_NET_MAX - 1)

/*
 * Counted limits (VSERVER_A_LIMITS): what the kernel counts per context
 * because no cgroup controller does.  Each resource's count starts at zero
 * with its context and follows its objects until they are freed, even
 * after the context ended; the call that would take a context past its
 * limit fails with the errno given below and counts a hit.
 *
 * VSERVER_A_LIMITS nests one attribute per resource, of type enum
 * vserver_limit_resource, itself nesting enum vserver_limit_attr.  In a
 * request only VSERVER_A_LIMIT_HARD is taken; a reply carries all of them.
 */

/* No limit (VSERVER_A_LIMIT_HARD). */
#define VSERVER_LIMIT_INFINITY	(~0ULL)

/**
 * enum vserver_limit_resource - the counted resources
 * @VSERVER_LIMIT_UNSPEC: unused
 * @VSERVER_LIMIT_NOFILE: open files (file descriptions, however many
 *			  descriptors share one), util-vserver's "nofile";
 *			  EMFILE
 * @VSERVER_LIMIT_NSOCK: sockets made by socket() and socketpair(), "nsock";
 *			 ENOBUFS
 * @VSERVER_LIMIT_SEMARY: System V semaphore sets, "semary"; ENOSPC
 * @VSERVER_LIMIT_MSGQUEUE: System V message queues, "msgqueue"; ENOSPC
 * @VSERVER_LIMIT_NSEMS: semaphores, summed over the context's semaphore
 *			 sets, "nsems"; ENOSPC
 * @VSERVER_LIMIT_LOCKS: file locks held: POSIX, OFD and flock locks and
 *			 leases, "locks"; ENOLCK
 * @__VSERVER_LIMIT_MAX: number of resources, for range checks
 */
enum vserver_limit_resource {
	VSERVER_LIMIT_UNSPEC,
	VSERVER_LIMIT_NOFILE,
	VSERVER_LIMIT_NSOCK,
	VSERVER_LIMIT_SEMARY,
	VSERVER_LIMIT_MSGQUEUE,
	VSERVER_LIMIT_NSEMS,
	VSERVER_LIMIT_LOCKS,
	__VSERVER_LIMIT_MAX,
};

#define VSERVER_LIMIT_MAX (__VSERVER_LIMIT_MAX - 1)

/**
 * enum vserver_limit_attr - one counted resource of a context
 * @VSERVER_A_LIMIT_UNSPEC: unused
 * @VSERVER_A_LIMIT_HARD: u64, the most the context may hold at once, or
 *			  VSERVER_LIMIT_INFINITY (the default)
 * @VSERVER_A_LIMIT_CURRENT: u64, how many it holds
 * @VSERVER_A_LIMIT_HELD: u64, the most it has held at once
 * @VSERVER_A_LIMIT_HITS: u64, how many requests the limit refused
 * @VSERVER_A_LIMIT_PAD: padding for 64-bit attributes
 * @__VSERVER_A_LIMIT_MAX: number of attributes, for range checks
 */
enum vserver_limit_attr {
	VSERVER_A_LIMIT_UNSPEC,
	VSERVER_A_LIMIT_HARD,
	VSERVER_A_LIMIT_CURRENT,
	VSERVER_A_LIMIT_HELD,
	VSERVER_A_LIMIT_HITS,
	VSERVER_A_LIMIT_PAD,
	__VSERVER_A_LIMIT_MAX,
};

#define VSERVER_A_LIMIT_ATTR_MAX (__VSERVER_A_LIMIT_MAX - 1)

/**
 * enum vserver_exit_reason - why a context ended (VSERVER_A_EXIT_REASON)
 * @VSERVER_EXIT_TASKS_GONE: its last task was reaped
 * @VSERVER_EXIT_RESTART: a task called reboot(RESTART or RESTART2)
 * @VSERVER_EXIT_HALT: a task called reboot(HALT)
 * @VSERVER_EXIT_POWER_OFF: a task called reboot(POWER_OFF)
 */
enum vserver_exit_reason {
	VSERVER_EXIT_TASKS_GONE,
	VSERVER_EXIT_RESTART,
	VSERVER_EXIT_HALT,
	VSERVER_EXIT_POWER_OFF,
};

/**
 * enum vserver_cmd - generic netlink commands of the vserver family
 * @VSERVER_CMD_UNSPEC: unused
 * @VSERVER_CMD_CTX_CREATE: create a context and move the caller in
 * @VSERVER_CMD_CTX_MIGRATE: move the caller into a context
 * @VSERVER_CMD_CTX_GET: describe a context (doit) or all of them (dump)
 * @VSERVER_CMD_TASK_GET: tell the context of a task (doit) or of every
 *	process (dump)
 * @VSERVER_CMD_CTX_SET: change a context's flags and capability sets
 * @VSERVER_CMD_CTX_KILL: signal the tasks of a context
 * @VSERVER_CMD_CTX_EXIT: notification that a context has ended
 * @__VSERVER_CMD_MAX: number of commands, for range checks
 */
enum vserver_cmd {
	VSERVER_CMD_UNSPEC,
	VSERVER_CMD_CTX_CREATE,
	VSERVER_CMD_CTX_MIGRATE,
	VSERVER_CMD_CTX_GET,
	VSERVER_CMD_TASK_GET,
	VSERVER_CMD_CTX_SET,
	VSERVER_CMD_CTX_KILL,
	VSERVER_CMD_CTX_EXIT,
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
 * @VSERVER_A_FLAGS: u64, context flags (VSERVER_CF_*)
 * @VSERVER_A_FLAGS_MASK: u64, which flags a CTX_SET changes
 * @VSERVER_A_BCAPS: u64, capability bounding set
 * @VSERVER_A_BCAPS_MASK: u64, which bounding set bits a CTX_SET changes
 * @VSERVER_A_CCAPS: u64, context capabilities (VSERVER_CCAP_*)
 * @VSERVER_A_CCAPS_MASK: u64, which context capabilities a CTX_SET changes
 * @VSERVER_A_SIGNAL: u32, a signal number, 0..64
 * @VSERVER_A_EXIT_REASON: u32, enum vserver_exit_reason
 * @VSERVER_A_DEVICES: nested, the device map (see VSERVER_DEVICES_MAX)
 * @VSERVER_A_NET: nested, the network set (enum vserver_net_attr)
 * @VSERVER_A_LIMITS: nested, the counted limits (enum
 *		      vserver_limit_resource)
 * @VSERVER_A_START_NS: u64, when a process started, in nanoseconds of
 *	CLOCK_BOOTTIME as the reader's time namespace shows it: the clock
 *	the reader's /proc/PID/stat's starttime counts in ticks
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
	VSERVER_A_FLAGS,
	VSERVER_A_FLAGS_MASK,
	VSERVER_A_BCAPS,
	VSERVER_A_BCAPS_MASK,
	VSERVER_A_CCAPS,
	VSERVER_A_CCAPS_MASK,
	VSERVER_A_SIGNAL,
	VSERVER_A_EXIT_REASON,
	VSERVER_A_DEVICES,
	VSERVER_A_NET,
	VSERVER_A_LIMITS,
	VSERVER_A_START_NS,
	__VSERVER_A_MAX,
};

#define VSERVER_A_MAX (__VSERVER_A_MAX - 1)

#endif /* _UAPI_LINUX_VSERVER_H */
