/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - the table of contexts
 */

#ifndef _VSERVER_CONTEXT_H
#define _VSERVER_CONTEXT_H

#include <linux/netlink.h>
#include <linux/path.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/vserver.h>

#include "limits.h"

struct cred;
struct proc_dir_entry;
struct vserver_net_config;

/**
 * struct vs_device_rule - one rule of a device map
 * @type: S_IFCHR or S_IFBLK
 * @any_minor: the rule covers every minor of @major
 * @access: what it grants, VSERVER_DEVICE_MAY_* bits
 * @major: the device's major number
 * @minor: its minor number, unless @any_minor
 */
struct vs_device_rule {
	umode_t type;
	bool any_minor;
	u8 access;
	u32 major;
	u32 minor;
};

/**
 * struct vs_device_map - the devices a context may use besides the ones
 *			  every guest may
 * @rcu: frees the map after its lock-less readers are done
 * @count: number of rules
 * @rules: the rules
 */
struct vs_device_map {
	struct rcu_head rcu;
	unsigned int count;
	struct vs_device_rule rules[];
};

/**
 * struct vs_context - a guest context
 * @xid: context id; set at creation, never changed
 * @hash_node: in vs_context_hash while in the context table
 * @name: optional name, "" when none; set at creation, never changed
 * @created_ns: boot-time clock at creation
 * @lock: protects @tasks, @dying, @dead, @flags, @bcaps, @ccaps and
 *	  @exit_reason for writers; taken with interrupts disabled because a
 *	  task may be uncounted from softirq context.  The LSM callbacks read
 *	  the policy fields locklessly.
 * @tasks: number of tasks counted in the context
 * @dying: set while every task of the context is being killed (CTX_KILL
 *	   of all tasks with SIGKILL, or a guest's reboot); a dying context
 *	   refuses new tasks, so nothing forks or migrates past the kill.
 *	   Cleared when @tasks drops to zero: a persistent context then lives
 *	   on empty and may be joined again, any other one ends
 * @dead: set once the context has ended (no task left and not persistent);
 *	  a dead context can never be joined again and is on its way out of
 *	  the table
 * @flags: VSERVER_CF_* flags
 * @bcaps: capability bounding set, enforced once sealed
 * @ccaps: context capabilities, VSERVER_CCAP_*
 * @exit_reason: enum vserver_exit_reason, reported when the context ends
 * @devices: the device map, never NULL; replaced whole under
 *	     vs_policy_mutex, read under RCU, freed a grace period after it
 *	     is replaced or the context is freed
 * @root: root directory of the context's tasks, published once when the
 *	  context is sealed and never changed; NULL until then.  Read under
 *	  RCU; the release work frees it only after a grace period
 * @creator_root: root directory of the creating task, for a seal from
 *	  outside.  @root and @creator_root are dropped by the release work
 *	  under vs_policy_mutex, which every seal holds
 * @usage: references: one for the table while the context is in it, one
 *	   per user outside an RCU read-side section
 * @proc: the context's /proc/virtual/<xid> directory; set before the
 *	  context is inserted, removed by the release work before the context
 *	  leaves the table, so that a new context of the same xid, which
 *	  waits for the old one to leave the table, never meets it in /proc
 * @release_work: unpublishes the context once it is dead; /proc removal
 *		  sleeps, and the last task may leave in atomic context
 * @kill_work: kills every task of the context for a guest's reboot, which
 *	       must not sleep itself
 * @rcu: frees the context after lock-less readers of the table are done
 */
struct vs_context {
	u32 xid;
	struct hlist_node hash_node;
	char name[VSERVER_NAME_MAX + 1];
	u64 created_ns;
	spinlock_t lock; /* see above */
	unsigned int tasks;
	bool dying;
	bool dead;
	u64 flags;
	u64 bcaps;
	u64 ccaps;
	u32 exit_reason;
	struct vs_device_map __rcu *devices;
	struct path __rcu *root;
	struct path creator_root;
	refcount_t usage;
	struct proc_dir_entry *proc;
	struct work_struct release_work;
	struct work_struct kill_work;
	struct rcu_head rcu;
};

/**
 * struct vs_policy - a context's policy, whole or as a change
 * @flags, @bcaps, @ccaps: values
 * @flags_mask, @bcaps_mask, @ccaps_mask: for a change, the bits changed
 * @devices: a new device map, or NULL to keep the map (for a new context:
 *	     an empty one).  A context function that installs it clears
 *	     the pointer; the caller frees what is left.
 * @net: a new network set, or NULL to keep the set (for a new context: the
 *	 host's network, unconfined).  Copied by the vserver LSM; the caller
 *	 frees it.
 * @limits: the counted limits to set (for a new context, the others are
 *	    unlimited)
 */
struct vs_policy {
	u64 flags, flags_mask;
	u64 bcaps, bcaps_mask;
	u64 ccaps, ccaps_mask;
	struct vs_device_map *devices;
	struct vserver_net_config *net;
	struct vs_limits limits;
};

int vs_context_create(u32 xid, const char *name, struct vs_policy *policy,
		      struct netlink_ext_ack *extack);
int vs_context_migrate(u32 xid, struct netlink_ext_ack *extack);
int vs_context_set(u32 xid, struct vs_policy *change,
		   struct netlink_ext_ack *extack);
int vs_context_kill(u32 xid, pid_t pid, int sig, struct netlink_ext_ack *extack);
int vs_context_reboot(u32 xid, u32 reason);
bool vs_context_in_setup(u32 xid);

struct vs_context *vs_context_lookup_rcu(u32 xid);
struct vs_context *vs_context_next_rcu(unsigned long *xid);
bool vs_context_visible(u32 viewer_xid, u32 xid);
unsigned int vs_context_count(u32 viewer_xid);

int vs_task_attach(u32 xid);
void vs_task_detach(u32 xid);

int vs_contexts_init(void);
void vs_contexts_exit(void);

#endif /* _VSERVER_CONTEXT_H */
