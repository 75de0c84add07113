/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - the table of contexts
 */

#ifndef _VSERVER_CONTEXT_H
#define _VSERVER_CONTEXT_H

#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/vserver.h>

struct proc_dir_entry;

/**
 * struct vs_context - a guest context
 * @xid: context id; set at creation, never changed
 * @name: optional name, "" when none; set at creation, never changed
 * @created_ns: boot-time clock at creation
 * @lock: protects @tasks and @dead; taken with interrupts disabled because
 *	  a task may be uncounted from softirq context
 * @tasks: number of tasks counted in the context
 * @dead: set once @tasks drops to zero; a dead context can never be joined
 *	  again and is on its way out of the table
 * @usage: references: one for the table while the context is in it, one
 *	   per user outside an RCU read-side section
 * @proc: the context's /proc/virtual/<xid> directory; set before the
 *	  context is inserted, removed by the release work
 * @release_work: unpublishes the context once it is dead; /proc removal
 *		  sleeps, and the last task may leave in atomic context
 * @rcu: frees the context after lock-less readers of the table are done
 */
struct vs_context {
	u32 xid;
	char name[VSERVER_NAME_MAX + 1];
	u64 created_ns;
	spinlock_t lock; /* protects tasks and dead */
	unsigned int tasks;
	bool dead;
	refcount_t usage;
	struct proc_dir_entry *proc;
	struct work_struct release_work;
	struct rcu_head rcu;
};

int vs_context_create(u32 xid, const char *name, struct netlink_ext_ack *extack);
int vs_context_migrate(u32 xid, struct netlink_ext_ack *extack);
struct vs_context *vs_context_lookup_rcu(u32 xid);
struct vs_context *vs_context_next_rcu(unsigned long *xid);
bool vs_context_visible(u32 viewer_xid, u32 xid);
unsigned int vs_context_count(void);

int vs_task_attach(u32 xid);
void vs_task_detach(u32 xid);

int vs_contexts_init(void);
void vs_contexts_exit(void);

#endif /* _VSERVER_CONTEXT_H */
