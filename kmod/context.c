// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - the table of contexts
 *
 * Contexts live in an xarray indexed by xid, and in a hash table for the
 * lookups by xid (see vs_context_hash).  Readers (the LSM callbacks,
 * which may run in atomic context, and the netlink and /proc readers) look
 * contexts up under RCU; creation and removal are serialised by
 * vs_table_mutex.  vs_policy_mutex serialises everything that reads a
 * context's policy to act on it or changes it: policy changes and seals,
 * moving a task in (so that it is bounded by the policy in force), the
 * kill sweep (so that no task is moved in behind it) and dropping the
 * roots.  A context lives while it has tasks (or is persistent): the LSM
 * counts them through vs_task_attach() and vs_task_detach(), and when a
 * context ends it is marked dead and a work item takes it out of /proc and
 * the table and announces its end.  Each context pins the module, so the
 * module cannot be unloaded while one exists.
 */

#include "common.h"

#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vserver.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "context.h"
#include "netlink.h"
#include "policy.h"
#include "proc.h"

/* Bounds the retries of a create that waits for a dying namesake. */
#define VS_CREATE_RETRIES 3

/*
 * Bounds each of those waits.  A release normally takes milliseconds; it
 * waits without a limit of its own for every read of the context's /proc
 * files in progress, and a reader may hold one in a page fault (on a
 * FUSE mount's page) as long as it pleases, while a create runs under
 * the generic netlink mutex every non-parallel family shares.
 */
#define VS_RELEASE_WAIT (5 * HZ)

/*
 * Bounds the passes of a kill sweep.  A dying context takes no new task,
 * so the second pass normally finds nothing left to kill.
 */
#define VS_KILL_PASSES 16

/*
 * The contexts by xid: the xarray keeps them in order for the walks
 * (/proc/virtual, the netlink dumps), the hash table answers the lookups
 * the LSM makes on a guest's every open() and stat(): an xarray holding
 * any xid past 4095 is three levels deep.  Both change under
 * vs_table_mutex, one after the other, so a walk may list a context a
 * lookup does not find yet; no task can join it before it is found.
 */
#define VS_CONTEXT_HASH_BITS 10
static DEFINE_XARRAY(vs_contexts);
static DEFINE_HASHTABLE(vs_context_hash, VS_CONTEXT_HASH_BITS);
static DEFINE_MUTEX(vs_table_mutex);
static DEFINE_MUTEX(vs_policy_mutex);
static struct workqueue_struct *vs_release_wq;
/* Woken when a released context has left the table. */
static DECLARE_WAIT_QUEUE_HEAD(vs_released);

static void vs_context_kill_work(struct work_struct *work);

static void vs_context_put(struct vs_context *ctx)
{
	struct vs_device_map *devices;

	if (!refcount_dec_and_test(&ctx->usage))
		return;
	/* Lock-less readers may still hold either: both wait a grace period. */
	devices = rcu_dereference_protected(ctx->devices, true);
	kfree_rcu(devices, rcu);
	kfree_rcu(ctx, rcu);
}

/* Takes a reference to a live context, or returns NULL. */
static struct vs_context *vs_context_get(u32 xid)
{
	struct vs_context *ctx;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	if (ctx && !refcount_inc_not_zero(&ctx->usage))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/*
 * Called once the context is dead, out of the table and an RCU grace
 * period later, so no lock-less reader still holds the root.  Under
 * vs_policy_mutex, so no seal is reading the creator's root or publishing
 * a root of its own.
 */
static void vs_context_drop_roots(struct vs_context *ctx)
{
	struct path *root = rcu_dereference_protected(ctx->root,
						      lockdep_is_held(&vs_policy_mutex));

	if (root) {
		path_put(root);
		kfree(root);
	}
	path_put(&ctx->creator_root);
}

static void vs_context_release(struct work_struct *work)
{
	struct vs_context *ctx = container_of(work, struct vs_context,
					      release_work);

	/*
	 * Out of /proc before out of the table: a create of the same xid
	 * waits while the old context is in the table, so it never finds
	 * the old directory still registered.
	 */
	vs_proc_remove_context(ctx);
	/* Before the xid is free: the next context of it gets none of them. */
	vserver_keys_end(ctx->xid);
	/*
	 * Before the xid is free for a new context, whose set must not be
	 * dropped; under vs_policy_mutex, after any change of the set that
	 * began before the context died.
	 */
	mutex_lock(&vs_policy_mutex);
	vserver_net_unpublish(ctx->xid);
	vserver_account_close(ctx->xid);
	mutex_unlock(&vs_policy_mutex);
	mutex_lock(&vs_table_mutex);
	xa_erase(&vs_contexts, ctx->xid);
	hash_del_rcu(&ctx->hash_node);
	/*
	 * Before a create of the xid, which takes the mutex after its wait,
	 * may publish a new context: the exit is told first.
	 */
	vs_netlink_notify_exit(ctx);
	mutex_unlock(&vs_table_mutex);
	wake_up_all(&vs_released);
	/*
	 * A dead context is found by no new lookup; wait for the readers
	 * that found it before it died (vs_path_allowed() reads the root).
	 */
	synchronize_rcu();
	mutex_lock(&vs_policy_mutex);
	vs_context_drop_roots(ctx);
	mutex_unlock(&vs_policy_mutex);
	vs_context_put(ctx);
	/* The workqueue is drained at module exit, so this may be the last. */
	module_put(THIS_MODULE);
}

/* Called with ctx->lock held, when the context has nothing left to live for. */
static void vs_context_end_locked(struct vs_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	ctx->dead = true;
	queue_work(vs_release_wq, &ctx->release_work);
}

/* The context in the table under @xid, dead or not; RCU or the mutex. */
static struct vs_context *vs_context_find(u32 xid)
{
	struct vs_context *ctx;

	hash_for_each_possible_rcu(vs_context_hash, ctx, hash_node, xid,
				   lockdep_is_held(&vs_table_mutex))
		if (ctx->xid == xid)
			return ctx;
	return NULL;
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
	ctx = vs_context_find(xid);
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

/**
 * vs_context_count - count the live contexts a viewer can see
 * @viewer_xid: context of the one who asks
 */
unsigned int vs_context_count(u32 viewer_xid)
{
	struct vs_context *ctx;
	unsigned long xid = 0;
	unsigned int count = 0;

	rcu_read_lock();
	for (; (ctx = vs_context_next_rcu(&xid)); xid++) {
		if (vs_context_visible(viewer_xid, ctx->xid))
			count++;
	}
	rcu_read_unlock();
	return count;
}

/**
 * vs_context_in_setup - is a context still being set up?
 * @xid: the context id
 */
bool vs_context_in_setup(u32 xid)
{
	const struct vs_context *ctx;
	bool setup;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	setup = ctx && (READ_ONCE(ctx->flags) & VSERVER_CF_STATE_SETUP);
	rcu_read_unlock();
	return setup;
}

static struct vs_context *vs_context_alloc(u32 xid, const char *name,
					   struct vs_policy *policy)
{
	struct vs_device_map *devices;
	struct vs_context *ctx;

	devices = policy->devices ?: kzalloc(sizeof(*devices), GFP_KERNEL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx || !devices) {
		if (devices != policy->devices)
			kfree(devices);
		kfree(ctx);
		return NULL;
	}
	policy->devices = NULL;
	RCU_INIT_POINTER(ctx->devices, devices);
	ctx->xid = xid;
	if (name)
		strscpy(ctx->name, name, sizeof(ctx->name));
	ctx->created_ns = ktime_get_boottime_ns();
	ctx->flags = policy->flags;
	ctx->bcaps = policy->bcaps;
	ctx->ccaps = policy->ccaps;
	ctx->exit_reason = VSERVER_EXIT_TASKS_GONE;
	get_fs_root(current->fs, &ctx->creator_root);
	spin_lock_init(&ctx->lock);
	refcount_set(&ctx->usage, 1);
	INIT_WORK(&ctx->release_work, vs_context_release);
	INIT_WORK(&ctx->kill_work, vs_context_kill_work);
	return ctx;
}

/* Frees a context that never made it into the table. */
static void vs_context_free_unpublished(struct vs_context *ctx)
{
	struct path *root = rcu_dereference_protected(ctx->root, true);

	path_put(&ctx->creator_root);
	/* Set by a sealed create, with a reference of its own. */
	if (root)
		path_put(root);
	kfree(root);
	kfree(rcu_dereference_protected(ctx->devices, true));
	kfree(ctx);
}

/* Publishes @root as the context's root; called once, when sealing. */
static int vs_context_set_root(struct vs_context *ctx, const struct path *root)
{
	struct path *copy = kmalloc(sizeof(*copy), GFP_KERNEL);

	if (!copy)
		return -ENOMEM;
	*copy = *root;
	path_get(copy);
	rcu_assign_pointer(ctx->root, copy);
	return 0;
}

static bool vs_xid_in_table(u32 xid)
{
	return xa_load(&vs_contexts, xid);
}

/* Waits a while for @xid to leave the table: 0 on time out, < 0 if killed. */
static long vs_wait_released(u32 xid)
{
	return wait_event_killable_timeout(vs_released, !vs_xid_in_table(xid),
					   VS_RELEASE_WAIT);
}

/*
 * Puts @ctx into the table and /proc.  A context of the same xid that is
 * still on its way out is waited for, a while, so that an xid can be
 * reused as soon as its last task has been reaped.
 */
static int vs_context_publish(struct vs_context *ctx,
			      struct netlink_ext_ack *extack)
{
	struct vs_context *old;
	int retries, err;
	bool dead;
	long left;

	for (retries = 0;; retries++) {
		mutex_lock(&vs_table_mutex);
		old = vs_context_find(ctx->xid);
		if (!old)
			break;
		dead = READ_ONCE(old->dead);
		/* The release work needs the mutex to remove @old. */
		mutex_unlock(&vs_table_mutex);
		if (!dead) {
			NL_SET_ERR_MSG(extack, "a context with this xid exists");
			return -EEXIST;
		}
		left = retries < VS_CREATE_RETRIES ?
		       vs_wait_released(ctx->xid) : 0;
		if (left < 0)
			return -EINTR;
		if (!left) {
			NL_SET_ERR_MSG(extack,
				       "the last context of this xid is still being released; try again later");
			return -EBUSY;
		}
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
	/* Only after xa_insert(), which keeps an xid to one context. */
	hash_add_rcu(vs_context_hash, &ctx->hash_node, ctx->xid);
	refcount_inc(&ctx->usage);
out:
	mutex_unlock(&vs_table_mutex);
	return err;
}

/* Ends a context no task ever joined. */
static void vs_context_abandon(struct vs_context *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	if (!ctx->tasks && !ctx->dead)
		vs_context_end_locked(ctx);
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/*
 * A task entering a context must have its memory to itself.  Threads
 * share it (and a context is per process, credentials per thread); so
 * do a vfork child before its exec and a CLONE_VM clone, with a process
 * that stays outside: guest root could reach into that process (ptrace,
 * /proc/<pid>/mem) through the task that joined.  Refused here, not at
 * each access: the kernel wakes a vfork parent before its child has left
 * the shared memory, which would leave a check on ->vfork_done a gap.
 * Only current changes these for itself (a killed vfork parent clears
 * ->vfork_done, after which its memory is the child's alone).
 */
static int vs_check_memory_alone(struct netlink_ext_ack *extack)
{
	if (get_nr_threads(current) != 1) {
		NL_SET_ERR_MSG(extack, "the caller must be single-threaded");
		return -EBUSY;
	}
	if (READ_ONCE(current->vfork_done) ||
	    (current->mm && test_bit(MMF_MULTIPROCESS, &current->mm->flags))) {
		NL_SET_ERR_MSG(extack,
			       "the caller shares its memory with another process (vfork, CLONE_VM)");
		return -EBUSY;
	}
	/*
	 * Nor its descriptor table or its root and working directory: the
	 * guest would act on the outside process's through them, and a
	 * shared fs_struct stays shared across exec.
	 */
	if (atomic_read(&current->files->count) != 1 ||
	    READ_ONCE(current->fs->users) != 1) {
		NL_SET_ERR_MSG(extack,
			       "the caller shares its descriptors or directories with another process (CLONE_FILES, CLONE_FS)");
		return -EBUSY;
	}
	return 0;
}

/*
 * Moves current into @xid; with @bound, its capability sets are first cut
 * down to @bcaps.  Under vs_policy_mutex, so that the policy read by the
 * caller is still the one in force when current is counted in, and so that
 * a kill sweep never misses a task counted but not yet moved.
 */
static int vs_commit_current(u32 xid, bool bound, u64 bcaps)
{
	struct cred *new;

	lockdep_assert_held(&vs_policy_mutex);
	new = prepare_creds();
	if (!new)
		return -ENOMEM;
	if (bound)
		vs_bound_cred(new, bcaps);
	return vserver_commit_xid(new, xid);
}

/* Moves current into @ctx, bounded as its policy now says; under vs_policy_mutex. */
static int vs_enter(const struct vs_context *ctx)
{
	return vs_commit_current(ctx->xid,
				 !(READ_ONCE(ctx->flags) & VSERVER_CF_STATE_SETUP),
				 READ_ONCE(ctx->bcaps));
}

/*
 * Refuses sealed context @xid a network set its sockets were not made
 * under: a first set, or one taking raw sockets back, would leave the
 * packet and raw sockets it opened meanwhile as they are.
 */
static int vs_check_sealed_net(u32 xid, const struct vserver_net_config *net,
			       struct netlink_ext_ack *extack)
{
	const u32 raw = VSERVER_NCAP_RAW | VSERVER_NCAP_RAW_ICMP;
	struct vserver_net_config old;

	if (!vserver_net_read(xid, &old)) {
		NL_SET_ERR_MSG(extack,
			       "a sealed context without a network set gets none");
		return -EBUSY;
	}
	if (old.caps & ~net->caps & raw) {
		NL_SET_ERR_MSG(extack,
			       "a sealed context keeps its raw network capabilities");
		return -EBUSY;
	}
	return 0;
}

/*
 * Confines @ctx to network set @net, or changes its set, if @net is given
 * (a @sealed context within what vs_check_sealed_net() lets it have);
 * under vs_policy_mutex, so that a context that has died meanwhile, whose
 * release drops its set under that mutex, never gets one again.
 */
static int vs_context_set_net(struct vs_context *ctx,
			      const struct vserver_net_config *net,
			      bool sealed, struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&vs_policy_mutex);
	if (!net)
		return 0;
	if (READ_ONCE(ctx->dead)) {
		NL_SET_ERR_MSG(extack, "no such context");
		return -ESRCH;
	}
	if (sealed) {
		err = vs_check_sealed_net(ctx->xid, net, extack);
		if (err)
			return err;
	}
	err = vserver_net_publish(ctx->xid, net);
	if (err == -EADDRINUSE)
		NL_SET_ERR_MSG(extack, "another context has this loopback address");
	return err;
}

/* What a context with @flags is shown of its own (the LSM's account). */
static unsigned int vs_context_views(u64 flags)
{
	return (flags & VSERVER_CF_VIRT_MEM ? VSERVER_VIEW_MEM : 0) |
	       (flags & VSERVER_CF_VIRT_LOAD ? VSERVER_VIEW_LOAD : 0) |
	       (flags & VSERVER_CF_VIRT_CPU ? VSERVER_VIEW_CPU : 0);
}

/*
 * Starts counting for @ctx, with the limits and views of @policy, before
 * its first task can open anything; under vs_policy_mutex, as the release
 * closes the account.
 */
static int vs_context_open_account(struct vs_context *ctx,
				   const struct vs_policy *policy)
{
	int err;

	lockdep_assert_held(&vs_policy_mutex);
	err = vserver_account_open(ctx->xid);
	return err ?: vs_limits_apply(ctx->xid, &policy->limits) ?:
		      vserver_account_set_view(ctx->xid,
					       vs_context_views(policy->flags));
}

/**
 * vs_context_create - create a context and move current into it
 * @xid: id of the new context, a guest xid
 * @name: its name, or NULL
 * @policy: its flags, capability sets and device map (taken over, see
 *	    struct vs_policy)
 * @extack: for error messages
 *
 * Unless created in the setup state, the context is sealed at once with
 * current's root directory as its root.
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int vs_context_create(u32 xid, const char *name, struct vs_policy *policy,
		      struct netlink_ext_ack *extack)
{
	const bool sealed = !(policy->flags & VSERVER_CF_STATE_SETUP);
	struct vs_context *ctx;
	int err;

	err = vs_check_memory_alone(extack);
	if (err)
		return err;

	ctx = vs_context_alloc(xid, name, policy);
	if (!ctx)
		return -ENOMEM;
	if (sealed) {
		err = vs_context_set_root(ctx, &ctx->creator_root);
		if (err)
			goto err_free;
	}

	/* Fails only while the module is being unloaded. */
	if (!try_module_get(THIS_MODULE)) {
		NL_SET_ERR_MSG(extack, "the vserver module is being unloaded");
		err = -ENODEV;
		goto err_free;
	}

	err = vs_context_publish(ctx, extack);
	if (err) {
		module_put(THIS_MODULE);
		goto err_free;
	}

	/* The host may have changed the policy since it was published. */
	mutex_lock(&vs_policy_mutex);
	err = vs_context_open_account(ctx, policy) ?:
	      vs_context_set_net(ctx, policy->net, false, extack);
	if (!err) {
		err = vs_enter(ctx);
		if (err)
			NL_SET_ERR_MSG(extack, "cannot move the caller into the context");
	}
	mutex_unlock(&vs_policy_mutex);
	if (err)
		vs_context_abandon(ctx);
	vs_context_put(ctx);
	return err;

err_free:
	vs_context_free_unpublished(ctx);
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
	struct vs_context *ctx;
	int err;

	err = vs_check_memory_alone(extack);
	if (err)
		return err;

	mutex_lock(&vs_policy_mutex);
	if (xid == VSERVER_SPECTATOR_XID) {
		err = vs_commit_current(xid, true, 0);
		goto out_unlock;
	}
	ctx = vs_context_get(xid);
	if (!ctx) {
		err = -ESRCH;
	} else if (READ_ONCE(ctx->flags) & VSERVER_CF_LOCK) {
		NL_SET_ERR_MSG(extack, "the context is locked");
		err = -EPERM;
	} else {
		/* Fails with -ESRCH if the context is dying or dead. */
		err = vs_enter(ctx);
	}
	if (ctx)
		vs_context_put(ctx);
out_unlock:
	mutex_unlock(&vs_policy_mutex);
	if (err == -ESRCH)
		NL_SET_ERR_MSG(extack, "no such context");
	return err;
}

static u64 vs_apply_bits(u64 old, u64 value, u64 mask)
{
	return (old & ~mask) | (value & mask);
}

/*
 * Seals @ctx: fixes its root, as the sealer's own when the sealer is one of
 * its tasks (whose capability sets are then bounded by @bcaps), else as its
 * creator's.  Under vs_policy_mutex.
 */
static int vs_context_seal(struct vs_context *ctx, bool inside, u64 bcaps)
{
	struct cred *new = NULL;
	struct path root;
	int err;

	/* Everything that can fail comes before the root is published. */
	if (inside) {
		new = prepare_creds();
		if (!new)
			return -ENOMEM;
		get_fs_root(current->fs, &root);
	} else {
		root = ctx->creator_root;
	}
	err = vs_context_set_root(ctx, &root);
	if (inside)
		path_put(&root);
	if (err) {
		if (new)
			abort_creds(new);
		return err;
	}
	if (new) {
		vs_bound_cred(new, bcaps);
		commit_creds(new);
	}
	return 0;
}

/* Replaces the device map of @ctx by @change's, if it has one; under vs_policy_mutex. */
static void vs_context_set_devices(struct vs_context *ctx,
				   struct vs_policy *change)
{
	struct vs_device_map *old;

	if (!change->devices)
		return;
	old = rcu_replace_pointer(ctx->devices, change->devices,
				  lockdep_is_held(&vs_policy_mutex));
	change->devices = NULL;
	kfree_rcu(old, rcu);
}

/**
 * vs_context_set - change a context's flags, capability sets and device map
 * @xid: the context
 * @change: values and masks of the bits to change, and a new device map
 *	    (taken over, see struct vs_policy)
 * @extack: for error messages
 *
 * Return: 0 or a negative errno.
 */
int vs_context_set(u32 xid, struct vs_policy *change,
		   struct netlink_ext_ack *extack)
{
	const u32 caller = vserver_cred_xid(current_cred());
	const bool inside = caller == xid;
	struct vs_context *ctx;
	unsigned long irqflags;
	bool in_setup;
	u64 flags;
	int err = 0;

	mutex_lock(&vs_policy_mutex);
	ctx = vs_context_get(xid);
	if (!ctx) {
		NL_SET_ERR_MSG(extack, "no such context");
		err = -ESRCH;
		goto out_unlock;
	}

	/* Only this function, under vs_policy_mutex, changes the setup bit. */
	in_setup = READ_ONCE(ctx->flags) & VSERVER_CF_STATE_SETUP;
	/*
	 * The netlink pre_doit let a task of the context through because the
	 * context was in its setup state; another task may have sealed it
	 * since.  Decide again, where no seal can come in between.
	 */
	if (caller != VSERVER_HOST_XID && !(inside && in_setup)) {
		NL_SET_ERR_MSG(extack, "only the host context may manage contexts");
		err = -EPERM;
		goto out_put;
	}
	if (change->flags & change->flags_mask & VSERVER_CF_STATE_SETUP &&
	    !in_setup) {
		NL_SET_ERR_MSG(extack, "state_setup can only be cleared");
		err = -EINVAL;
		goto out_put;
	}
	/* The changes that can fail on their own come first. */
	err = vs_context_set_net(ctx, change->net, !in_setup, extack);
	if (err)
		goto out_put;
	/*
	 * Fails only for a context that has died, and then at the first
	 * limit: its account is closed under vs_policy_mutex.  Only this
	 * function changes the views' flags, so they are read here as they
	 * will be.
	 */
	flags = vs_apply_bits(READ_ONCE(ctx->flags), change->flags,
			      change->flags_mask);
	err = vs_limits_apply(xid, &change->limits) ?:
	      vserver_account_set_view(xid, vs_context_views(flags));
	if (err) {
		NL_SET_ERR_MSG(extack, "no such context");
		goto out_put;
	}
	if (in_setup && change->flags_mask & VSERVER_CF_STATE_SETUP &&
	    !(change->flags & VSERVER_CF_STATE_SETUP)) {
		/* The root is in place before any task is held to it. */
		err = vs_context_seal(ctx, inside,
				      vs_apply_bits(READ_ONCE(ctx->bcaps),
						    change->bcaps,
						    change->bcaps_mask));
		if (err)
			goto out_put;
	}
	vs_context_set_devices(ctx, change);

	spin_lock_irqsave(&ctx->lock, irqflags);
	flags = vs_apply_bits(ctx->flags, change->flags, change->flags_mask);
	WRITE_ONCE(ctx->flags, flags);
	WRITE_ONCE(ctx->bcaps, vs_apply_bits(ctx->bcaps, change->bcaps,
					     change->bcaps_mask));
	WRITE_ONCE(ctx->ccaps, vs_apply_bits(ctx->ccaps, change->ccaps,
					     change->ccaps_mask));
	if (!(flags & VSERVER_CF_PERSISTENT) && !ctx->tasks && !ctx->dead)
		vs_context_end_locked(ctx);
	spin_unlock_irqrestore(&ctx->lock, irqflags);

out_put:
	vs_context_put(ctx);
out_unlock:
	mutex_unlock(&vs_policy_mutex);
	return err;
}

/* Sends @sig, as the kernel, to every process of context @xid. */
static void vs_signal_context(u32 xid, int sig)
{
	struct task_struct *p;

	rcu_read_lock();
	for_each_process(p) {
		if (vserver_task_xid(p) == xid)
			send_sig_info(sig, SEND_SIG_PRIV, p);
	}
	rcu_read_unlock();
}

/* Is @t on its way out, whatever it does next?  Under RCU. */
static bool vs_task_doomed(struct task_struct *t)
{
	return (READ_ONCE(t->flags) & PF_EXITING) || __fatal_signal_pending(t) ||
	       (READ_ONCE(t->signal->flags) & SIGNAL_GROUP_EXIT);
}

/*
 * One pass of a kill sweep: SIGKILL, as the kernel, to every thread of
 * context @xid that is not doomed yet (which kills its whole process).
 * Never sleeps.
 *
 * Return: the number of signals sent; 0 when no task of the context is
 * left without a pending SIGKILL.
 */
static unsigned int vs_kill_pass(u32 xid)
{
	struct task_struct *g, *t;
	unsigned int sent = 0;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (vserver_task_xid(t) != xid || vs_task_doomed(t))
			continue;
		send_sig_info(SIGKILL, SEND_SIG_PRIV, t);
		sent++;
	}
	rcu_read_unlock();
	return sent;
}

/*
 * Kills every task of a dying context.  A pass can miss a task: a child
 * whose fork passed task_alloc before the context was dying is not on the
 * task list yet.  Its parent is, and a fork whose parent has SIGKILL
 * pending fails when it links the child, so each pass leaves fewer tasks
 * that may still show up, and the sweep repeats until a pass finds none.
 * Tasks moved in are not missed: moving in holds vs_policy_mutex, and so
 * does the sweep.
 *
 * Return: 0, or -EAGAIN if tasks were still showing up after the last
 * pass (the context stays dying, so a new kill finishes the job).
 */
static int vs_kill_sweep(const struct vs_context *ctx)
{
	int pass;

	lockdep_assert_held(&vs_policy_mutex);
	for (pass = 0; pass < VS_KILL_PASSES; pass++) {
		if (!vs_kill_pass(ctx->xid))
			return 0;
		cond_resched();
	}
	return -EAGAIN;
}

/*
 * Marks a context dying, so it takes no new task; a context without tasks
 * has nothing to kill and is left as it is.  Return: whether it is dying.
 */
static bool vs_context_mark_dying(struct vs_context *ctx)
{
	unsigned long irqflags;
	bool dying;

	spin_lock_irqsave(&ctx->lock, irqflags);
	if (ctx->tasks)
		ctx->dying = true;
	dying = ctx->dying;
	spin_unlock_irqrestore(&ctx->lock, irqflags);
	return dying;
}

static bool vs_context_dying(struct vs_context *ctx)
{
	unsigned long irqflags;
	bool dying;

	spin_lock_irqsave(&ctx->lock, irqflags);
	dying = ctx->dying;
	spin_unlock_irqrestore(&ctx->lock, irqflags);
	return dying;
}

/* Finishes the kill of a guest that rebooted; owns a reference to @ctx. */
static void vs_context_kill_work(struct work_struct *work)
{
	struct vs_context *ctx = container_of(work, struct vs_context,
					      kill_work);

	mutex_lock(&vs_policy_mutex);
	/* Not dying any more: every task is gone, and so is the context. */
	if (vs_context_dying(ctx) && vs_kill_sweep(ctx))
		pr_warn_ratelimited("context %u: tasks still starting after %d kill passes\n",
				    ctx->xid, VS_KILL_PASSES);
	mutex_unlock(&vs_policy_mutex);
	vs_context_put(ctx);
}

static int vs_signal_process(u32 xid, pid_t nr, int sig)
{
	struct task_struct *task;
	struct pid *pid;
	int err = -ESRCH;

	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	if (vserver_task_xid(task) == xid)
		err = sig ? send_sig_info(sig, SEND_SIG_PRIV, task) : 0;
	put_task_struct(task);
	return err;
}

/**
 * vs_context_kill - signal the processes of a context
 * @xid: the context
 * @pid: one process of it (in current's PID namespace), or 0 for all
 * @sig: the signal; 0 only checks
 * @extack: for error messages
 *
 * Return: 0 or a negative errno.
 */
int vs_context_kill(u32 xid, pid_t pid, int sig, struct netlink_ext_ack *extack)
{
	struct vs_context *ctx;
	int err = 0;

	if (pid) {
		err = vs_signal_process(xid, pid, sig);
		if (err == -ESRCH)
			NL_SET_ERR_MSG(extack, "no such process in the context");
		return err;
	}

	/*
	 * Under vs_policy_mutex, the context found is the one whose tasks are
	 * signalled: a new context of the same xid gets no task before the
	 * mutex is dropped.
	 */
	mutex_lock(&vs_policy_mutex);
	ctx = vs_context_get(xid);
	if (!ctx) {
		NL_SET_ERR_MSG(extack, "no such context");
		err = -ESRCH;
		goto out_unlock;
	}
	if (sig == SIGKILL) {
		if (vs_context_mark_dying(ctx))
			err = vs_kill_sweep(ctx);
		if (err)
			NL_SET_ERR_MSG(extack,
				       "tasks of the context are still starting; kill again");
	} else if (sig) {
		vs_signal_context(xid, sig);
	}
	vs_context_put(ctx);
out_unlock:
	mutex_unlock(&vs_policy_mutex);
	return err;
}

/**
 * vs_context_reboot - end a context because one of its tasks rebooted
 * @xid: the context
 * @reason: enum vserver_exit_reason to report
 *
 * Every process of the context is killed; a persistent context ends too.
 * Called from a task of the context, which must not sleep here: one kill
 * pass is made at once and the sweep is finished by a work item.
 *
 * Return: 0, or -ESRCH if the context is gone.
 */
int vs_context_reboot(u32 xid, u32 reason)
{
	struct vs_context *ctx = vs_context_get(xid);
	unsigned long irqflags;

	if (!ctx)
		return -ESRCH;
	spin_lock_irqsave(&ctx->lock, irqflags);
	if (ctx->exit_reason == VSERVER_EXIT_TASKS_GONE)
		ctx->exit_reason = reason;
	WRITE_ONCE(ctx->flags, ctx->flags & ~VSERVER_CF_PERSISTENT);
	spin_unlock_irqrestore(&ctx->lock, irqflags);
	vs_context_mark_dying(ctx);
	vs_kill_pass(xid);
	/* The work takes over our reference, unless it is already queued. */
	if (!queue_work(vs_release_wq, &ctx->kill_work))
		vs_context_put(ctx);
	return 0;
}

/**
 * vs_task_attach - count a task in a context
 * @xid: the guest context the task joins
 *
 * Called by the LSM at fork and when a task is moved; never sleeps.
 *
 * Return: 0, or -ESRCH if the context does not exist, is dying or has
 * ended.
 */
int vs_task_attach(u32 xid)
{
	struct vs_context *ctx;
	unsigned long flags;
	int err = -ESRCH;

	rcu_read_lock();
	ctx = vs_context_find(xid);
	if (ctx) {
		spin_lock_irqsave(&ctx->lock, flags);
		if (!ctx->dead && !ctx->dying) {
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
 * The last task out ends a kill (the context is no longer dying) and ends
 * the context, unless it is persistent.
 */
void vs_task_detach(u32 xid)
{
	struct vs_context *ctx;
	unsigned long flags;

	rcu_read_lock();
	ctx = vs_context_find(xid);
	if (!WARN_ON_ONCE(!ctx)) {
		spin_lock_irqsave(&ctx->lock, flags);
		if (!WARN_ON_ONCE(!ctx->tasks) && !--ctx->tasks) {
			ctx->dying = false;
			if (!(ctx->flags & VSERVER_CF_PERSISTENT))
				vs_context_end_locked(ctx);
		}
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
	WARN_ON_ONCE(!hash_empty(vs_context_hash));
}
