// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - the policy callbacks of the vserver LSM
 *
 * The LSM asks these for guest and spectator credentials only; they run
 * under its SRCU read lock, possibly in atomic context, and look the
 * context up under RCU.  A credential whose context has ended (a file
 * opener's, say) is refused everything.
 */

#include "common.h"

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/path.h>
#include <linux/reboot.h>
#include <linux/user_namespace.h>
#include <linux/vserver.h>

#include "context.h"
#include "policy.h"
#include "proc.h"

static kernel_cap_t vs_caps_from_bits(u64 bits)
{
	kernel_cap_t caps = {};

	BUILD_BUG_ON(_KERNEL_CAPABILITY_U32S != 2);
	caps.cap[0] = lower_32_bits(bits);
	caps.cap[1] = upper_32_bits(bits);
	return caps;
}

/**
 * vs_bound_cred - cut a credential's capability sets down to a bounding set
 * @cred: a credential being prepared
 * @bcaps: the bounding set, one bit per capability
 *
 * Shrinking the bounding set itself keeps setuid and file-capability
 * programs from bringing a capability back.
 */
void vs_bound_cred(struct cred *cred, u64 bcaps)
{
	const kernel_cap_t bound = vs_caps_from_bits(bcaps);

	cred->cap_bset = cap_intersect(cred->cap_bset, bound);
	cred->cap_permitted = cap_intersect(cred->cap_permitted, bound);
	cred->cap_effective = cap_intersect(cred->cap_effective, bound);
	cred->cap_inheritable = cap_intersect(cred->cap_inheritable, bound);
	cred->cap_ambient = cap_intersect(cred->cap_ambient, bound);
}

/*
 * What a sealed guest may do is its bounding set, with two narrowings.
 *
 * Everything owned by the initial user namespace is the host's: its
 * network namespace (routes, links, netfilter of the shared stack), every
 * network namespace reachable from it by id or pid, and the global
 * CAP_NET_ADMIN checks outside networking.  A guest holds CAP_NET_ADMIN
 * only over a network namespace that the host made for it under a user
 * namespace of its own (util-vserver's own-namespace mode); likewise
 * CAP_NET_BROADCAST, with which a netlink socket in its own namespace
 * would take the host's namespace's notifications too
 * (NETLINK_LISTEN_ALL_NSID).
 *
 * commoncap lets root past the checks of a user namespace it owns without
 * looking at its effective set; the guest's own set must still hold the
 * capability, as it would for a check in the initial namespace.
 */
static bool vs_guest_capable(const struct vs_context *ctx,
			     const struct cred *cred,
			     struct user_namespace *ns, int cap)
{
	if (!(READ_ONCE(ctx->bcaps) & BIT_ULL(cap)))
		return false;
	if (ns == &init_user_ns)
		return cap != CAP_NET_ADMIN && cap != CAP_NET_BROADCAST;
	return cap_raised(cred->cap_effective, cap);
}

/*
 * The capability bounding set is enforced once the context is sealed; the
 * launcher setting it up is host code and needs its own capabilities.
 */
int vs_capable(const struct cred *cred, u32 xid, struct user_namespace *ns,
	       int cap, unsigned int opts)
{
	const struct vs_context *ctx;
	int err = -EPERM;

	/* The spectator may look at everything and change nothing. */
	if (xid == VSERVER_SPECTATOR_XID)
		return -EPERM;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	if (ctx && (READ_ONCE(ctx->flags) & VSERVER_CF_STATE_SETUP))
		err = 0;
	else if (ctx && vs_guest_capable(ctx, cred, ns, cap))
		err = 0;
	rcu_read_unlock();
	return err;
}

int vs_permitted(u32 xid, enum vserver_perm perm)
{
	const struct vs_context *ctx;
	int err = -EPERM;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	if (ctx && (READ_ONCE(ctx->ccaps) & BIT_ULL(perm)))
		err = 0;
	rcu_read_unlock();
	return err;
}

/*
 * The spectator works from the host's tree; a guest is held below its
 * root.  The root is freed after a grace period (see context.c), so it may
 * be read here under RCU alone.
 */
typedef bool (*vs_below_fn)(const void *object, const struct path *root);

static int vs_root_check(u32 xid, vs_below_fn below, const void *object)
{
	const struct vs_context *ctx;
	const struct path *root;
	int err = -EACCES;

	if (xid == VSERVER_SPECTATOR_XID)
		return 0;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	if (ctx) {
		root = rcu_dereference(ctx->root);
		if (!root || below(object, root))
			err = 0;
	}
	rcu_read_unlock();
	return err;
}

/*
 * Whether a path's dentry lies in its mount's tree.  One that a lookup
 * reached always does; open_by_handle_at() gives any dentry of the
 * superblock with the mount of the descriptor it was passed, so a handle
 * through a bind mount of a host directory would name the host's whole
 * filesystem as if it were below that mount.
 */
static bool vs_dentry_in_mount(const struct path *path,
			       const struct path *root)
{
	struct dentry *mnt_root = path->mnt->mnt_root;

	if (mnt_root == path->mnt->mnt_sb->s_root)
		return true;
	/* path_is_under_rcu() compares the dentry with the root itself. */
	if (path->mnt == root->mnt)
		return true;
	return is_subdir(path->dentry, mnt_root);
}

/*
 * A path reached through the mounts the guest was given is answered
 * without a lock.  One reached otherwise (a mount namespace the guest
 * made after it was sealed holds copies of those mounts) is below the
 * root when a mount of the guest's tree shows the same object.
 */
static bool vs_path_below(const void *object, const struct path *root)
{
	const struct path *path = object;

	return (vs_dentry_in_mount(path, root) &&
		path_is_under_rcu(path, root)) ||
	       dentry_is_visible_under(path->dentry, root);
}

static bool vs_dentry_below(const void *dentry, const struct path *root)
{
	return dentry_is_visible_under((struct dentry *)dentry, root);
}

int vs_path_allowed(u32 xid, const struct path *path)
{
	int err = 0;

	/* Another context's /proc/virtual entries are not there for a guest. */
	if (xid != VSERVER_SPECTATOR_XID)
		err = vs_proc_path_allowed(xid, path);
	return err ?: vs_root_check(xid, vs_path_below, path);
}

int vs_dentry_allowed(u32 xid, struct dentry *dentry)
{
	return vs_root_check(xid, vs_dentry_below, dentry);
}

static bool vs_device_rule_grants(const struct vs_device_rule *rule,
				  umode_t type, dev_t dev, unsigned int access)
{
	return rule->type == type && rule->major == MAJOR(dev) &&
	       (rule->any_minor || rule->minor == MINOR(dev)) &&
	       (rule->access & access) == access;
}

int vs_device_allowed(u32 xid, umode_t type, dev_t dev, unsigned int access)
{
	const struct vs_device_map *map;
	const struct vs_context *ctx;
	unsigned int i;
	int err = -EPERM;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	map = ctx ? rcu_dereference(ctx->devices) : NULL;
	for (i = 0; map && i < map->count; i++) {
		if (vs_device_rule_grants(&map->rules[i], type, dev, access)) {
			err = 0;
			break;
		}
	}
	rcu_read_unlock();
	return err;
}

int vs_reboot(u32 xid, unsigned int cmd)
{
	u32 reason;

	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		/* What Ctrl-Alt-Del does is the host's business. */
		return 0;
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2:
		reason = VSERVER_EXIT_RESTART;
		break;
	case LINUX_REBOOT_CMD_HALT:
		reason = VSERVER_EXIT_HALT;
		break;
	case LINUX_REBOOT_CMD_POWER_OFF:
		reason = VSERVER_EXIT_POWER_OFF;
		break;
	default:
		return -EPERM;
	}
	if (xid == VSERVER_SPECTATOR_XID)
		return -EPERM;
	return vs_context_reboot(xid, reason);
}
