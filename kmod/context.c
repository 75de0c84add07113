// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - the table of contexts
 *
 * Contexts live in an xarray indexed by xid.  Readers (the LSM callbacks,
 * which may run in atomic context, and the netlink and /proc readers) look
 * contexts up under RCU; creation and removal are serialised by
 * vs_table_mutex.  A context lives while it has tasks: the LSM counts them
 * through vs_task_attach() and vs_task_detach(), and when the count drops
 * to zero the context is marked dead and a work item takes it out of the
 * table and /proc.  Each context pins the module, so the module cannot be
 * unloaded while one exists.
 */

#include "common.h"

#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vserver.h>
#include <linux/xarray.h>

#include "context.h"
#include "proc.h"

/* Bounds the retries of a create that waits for a dying namesake. */
#define VS_CREATE_RETRIES 3

static DEFINE_XARRAY(vs_contexts);
static DEFINE_MUTEX(vs_table_mutex);
static struct workqueue_struct *vs_release_wq;

static void vs_context_put(struct vs_context *ctx)
{
	if (refcount_dec_and_test(&ctx->usage))
		kfree_rcu(ctx, rcu);
}

static void vs_context_release(struct work_struct *work)
{
	struct vs_context *ctx = container_of(work, struct vs_context,
					      release_work);

	mutex_lock(&vs_table_mutex);
	xa_erase(&vs_contexts, ctx->xid);
	mutex_unlock(&vs_table_mutex);
	vs_proc_remove_context(ctx);
	vs_context_put(ctx);
	/* The workqueue is drained at module exit, so this may be the last. */
	module_put(THIS_MODULE);
}

/* Called with ctx->lock held, when the last task has gone. */
static void vs_context_kill_locked(struct vs_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	ctx->dead = true;
	queue_work(vs_release_wq, &ctx->release_work);
}

/**
 * vs_context_lookup_rcu - find a live context
 * @xid: the context id
 *
 * Return: the context, valid until rcu_read_unlock(), or NULL.
 */
struct vs_context *vs_context_lookup_rcu(u32 xid)
{
	struct vs_context *ctx;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "vserver: lookup without RCU");
	ctx = xa_load(&vs_contexts, xid);
	if (ctx && READ_ONCE(ctx->dead))
		return NULL;
	return ctx;
}

/**
 * vs_context_next_rcu - find the first live context at or after an xid
 * @xid: where to start; updated to the xid of the context found
 *
 * Return: the context, valid until rcu_read_unlock(), or NULL at the end.
 */
struct vs_context *vs_context_next_rcu(unsigned long *xid)
{
	struct vs_context *ctx;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "vserver: walk without RCU");
	xa_for_each_start(&vs_contexts, *xid, ctx, *xid) {
		if (!READ_ONCE(ctx->dead))
			return ctx;
	}
	return NULL;
}

/**
 * vs_context_visible - may a task of one context see another context?
 * @viewer_xid: context of the one who looks
 * @xid: context looked at
 *
 * The host and the spectator see everything, a guest only itself.
 */
bool vs_context_visible(u32 viewer_xid, u32 xid)
{
	return viewer_xid == VSERVER_HOST_XID ||
	       viewer_xid == VSERVER_SPECTATOR_XID || viewer_xid == xid;
}

unsigned int vs_context_count(void)
{
	struct vs_context *ctx;
	unsigned long xid = 0;
	unsigned int count = 0;

	rcu_read_lock();
	for (; (ctx = vs_context_next_rcu(&xid)); xid++)
		count++;
	rcu_read_unlock();
	return count;
}

static struct vs_context *vs_context_alloc(u32 xid, const char *name)
{
	struct vs_context *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return NULL;
	ctx->xid = xid;
	if (name)
		strscpy(ctx->name, name, sizeof(ctx->name));
	ctx->created_ns = ktime_get_boottime_ns();
	spin_lock_init(&ctx->lock);
	refcount_set(&ctx->usage, 1);
	INIT_WORK(&ctx->release_work, vs_context_release);
	return ctx;
}

/*
 * Puts @ctx into the table and /proc.  A context of the same xid that is
 * still on its way out is waited for, so that an xid can be reused as soon
 * as its last task has been reaped.
 */
static int vs_context_publish(struct vs_context *ctx,
			      struct netlink_ext_ack *extack)
{
	struct vs_context *old;
	int retries, err;

	for (retries = 0; retries < VS_CREATE_RETRIES; retries++) {
		mutex_lock(&vs_table_mutex);
		old = xa_load(&vs_contexts, ctx->xid);
		if (!old)
			break;
		/* The release work needs the mutex to remove @old. */
		if (!READ_ONCE(old->dead)) {
			mutex_unlock(&vs_table_mutex);
			NL_SET_ERR_MSG(extack, "a context with this xid exists");
			return -EEXIST;
		}
		mutex_unlock(&vs_table_mutex);
		flush_workqueue(vs_release_wq);
	}
	if (old) {
		NL_SET_ERR_MSG(extack, "a context with this xid exists");
		return -EEXIST;
	}

	err = vs_proc_add_context(ctx);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot create /proc/virtual entry");
		goto out;
	}
	err = xa_insert(&vs_contexts, ctx->xid, ctx, GFP_KERNEL);
	if (err) {
		vs_proc_remove_context(ctx);
		goto out;
	}
	refcount_inc(&ctx->usage);
out:
	mutex_unlock(&vs_table_mutex);
	return err;
}

/* Unpublishes a context no task ever joined. */
static void vs_context_abandon(struct vs_context *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	if (!ctx->tasks && !ctx->dead)
		vs_context_kill_locked(ctx);
	spin_unlock_irqrestore(&ctx->lock, flags);
}

static int vs_check_single_threaded(struct netlink_ext_ack *extack)
{
	if (get_nr_threads(current) != 1) {
		NL_SET_ERR_MSG(extack, "the caller must be single-threaded");
		return -EBUSY;
	}
	return 0;
}

static int vs_commit_current(u32 xid)
{
	struct cred *new = prepare_creds();

	if (!new)
		return -ENOMEM;
	return vserver_commit_xid(new, xid);
}

/**
 * vs_context_create - create a context and move current into it
 * @xid: id of the new context, a guest xid
 * @name: its name, or NULL
 * @extack: for error messages
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int vs_context_create(u32 xid, const char *name, struct netlink_ext_ack *extack)
{
	struct vs_context *ctx;
	int err;

	err = vs_check_single_threaded(extack);
	if (err)
		return err;

	ctx = vs_context_alloc(xid, name);
	if (!ctx)
		return -ENOMEM;

	/* Fails only while the module is being unloaded. */
	if (!try_module_get(THIS_MODULE)) {
		NL_SET_ERR_MSG(extack, "the vserver module is being unloaded");
		vs_context_put(ctx);
		return -ENODEV;
	}

	err = vs_context_publish(ctx, extack);
	if (err) {
		vs_context_put(ctx);
		module_put(THIS_MODULE);
		return err;
	}

	err = vs_commit_current(xid);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot move the caller into the context");
		vs_context_abandon(ctx);
	}
	vs_context_put(ctx);
	return err;
}

/**
 * vs_context_migrate - move current into an existing context
 * @xid: the context, a guest or the spectator
 * @extack: for error messages
 *
 * Return: 0 or a negative errno.
 */
int vs_context_migrate(u32 xid, struct netlink_ext_ack *extack)
{
	int err;

	err = vs_check_single_threaded(extack);
	if (err)
		return err;

	err = vs_commit_current(xid);
	if (err == -ESRCH)
		NL_SET_ERR_MSG(extack, "no such context");
	return err;
}

/**
 * vs_task_attach - count a task in a context
 * @xid: the guest context the task joins
 *
 * Called by the LSM at fork and when a task is moved; never sleeps.
 *
 * Return: 0, or -ESRCH if the context does not exist or is ending.
 */
int vs_task_attach(u32 xid)
{
	struct vs_context *ctx;
	unsigned long flags;
	int err = -ESRCH;

	rcu_read_lock();
	ctx = xa_load(&vs_contexts, xid);
	if (ctx) {
		spin_lock_irqsave(&ctx->lock, flags);
		if (!ctx->dead) {
			ctx->tasks++;
			err = 0;
		}
		spin_unlock_irqrestore(&ctx->lock, flags);
	}
	rcu_read_unlock();
	return err;
}

/**
 * vs_task_detach - uncount a task from a context
 * @xid: the guest context the task was counted in
 *
 * Called by the LSM when the task is reaped; may run in softirq context.
 * The last task out ends the context.
 */
void vs_task_detach(u32 xid)
{
	struct vs_context *ctx;
	unsigned long flags;

	rcu_read_lock();
	ctx = xa_load(&vs_contexts, xid);
	if (!WARN_ON_ONCE(!ctx)) {
		spin_lock_irqsave(&ctx->lock, flags);
		if (!WARN_ON_ONCE(!ctx->tasks) && !--ctx->tasks)
			vs_context_kill_locked(ctx);
		spin_unlock_irqrestore(&ctx->lock, flags);
	}
	rcu_read_unlock();
}

int vs_contexts_init(void)
{
	vs_release_wq = alloc_workqueue("vserver_release", 0, 0);
	return vs_release_wq ? 0 : -ENOMEM;
}

void vs_contexts_exit(void)
{
	/* Every context is gone, but its release work may still be running. */
	destroy_workqueue(vs_release_wq);
	WARN_ON_ONCE(!xa_empty(&vs_contexts));
}
