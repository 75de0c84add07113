// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - /proc/virtual
 *
 * /proc/virtual/info describes the module; /proc/virtual/<xid>/info,
 * status and limit each context, for as long as it lives.  The files are
 * text, one "Key:\tvalue" per line (limit: one line per resource), as
 * Linux-VServer's were, so scripts written for it can read them.
 *
 * The host and the spectator see every context here, a guest only its
 * own: another context's directory is neither listed nor found, as an xid
 * nobody uses (procfs asks vs_proc_child_visible()).  A directory reached
 * otherwise (a working directory kept across a migration) shows nothing
 * either: the LSM asks vs_proc_path_allowed() about every path a guest
 * names, and the files check again when opened.
 */

#include "common.h"

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/math64.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/vserver.h>

#include "context.h"
#include "limits.h"
#include "network.h"
#include "proc.h"

/*
 * How the inodes of /proc/virtual are told apart: procfs gives each inode
 * its entry's data as i_private.  /proc/virtual's is the address of
 * vs_proc_marker, a context directory's is its xid, and a context file's
 * is its context.
 */
static const char vs_proc_marker;
static struct proc_dir_entry *vs_proc_root;

static u32 vs_proc_viewer(void)
{
	return vserver_cred_xid(current_cred());
}

static int vs_proc_info_show(struct seq_file *m, void *v)
{
	seq_printf(m, "Family:\t%s\n", VSERVER_GENL_NAME);
	seq_printf(m, "Version:\t%u\n", VSERVER_GENL_VERSION);
	seq_printf(m, "Contexts:\t%u\n", vs_context_count(vs_proc_viewer()));
	return 0;
}

/*
 * The context outlives this file: the release work removes the directory,
 * which waits for readers, before dropping the table's reference.
 */
static int vs_proc_context_info_show(struct seq_file *m, void *v)
{
	const struct vs_context *ctx = m->private;
	u64 uptime_ns = ktime_get_boottime_ns() - ctx->created_ns;
	u32 rem_ns;
	u64 secs = div_u64_rem(uptime_ns, NSEC_PER_SEC, &rem_ns);
	u32 msecs = rem_ns / NSEC_PER_MSEC;

	seq_printf(m, "ID:\t%u\n", ctx->xid);
	seq_printf(m, "Name:\t%s\n", ctx->name);
	seq_printf(m, "Tasks:\t%u\n", READ_ONCE(ctx->tasks));
	seq_printf(m, "Uptime:\t%llu.%03u\n", secs, msecs);
	return 0;
}

/* One line per rule of the device map: "Device: c 10:200 open,create". */
static void vs_proc_show_devices(struct seq_file *m, const struct vs_context *ctx)
{
	const struct vs_device_map *map;
	const struct vs_device_rule *rule;
	unsigned int i;

	rcu_read_lock();
	map = rcu_dereference(ctx->devices);
	for (i = 0; i < map->count; i++) {
		rule = &map->rules[i];
		seq_printf(m, "Device:\t%c %u:", rule->type == S_IFCHR ? 'c' : 'b',
			   rule->major);
		if (rule->any_minor)
			seq_putc(m, '*');
		else
			seq_printf(m, "%u", rule->minor);
		seq_printf(m, " %s%s%s\n",
			   rule->access & VSERVER_DEVICE_OPEN ? "open" : "",
			   rule->access == VSERVER_DEVICE_ACCESS_ALL ? "," : "",
			   rule->access & VSERVER_DEVICE_CREATE ? "create" : "");
	}
	rcu_read_unlock();
}

/* The policy as Linux-VServer showed it: sets as hexadecimal bit masks. */
static int vs_proc_context_status_show(struct seq_file *m, void *v)
{
	const struct vs_context *ctx = m->private;

	seq_printf(m, "Tasks:\t%u\n", READ_ONCE(ctx->tasks));
	seq_printf(m, "Flags:\t%016llx\n", READ_ONCE(ctx->flags));
	seq_printf(m, "BCaps:\t%016llx\n", READ_ONCE(ctx->bcaps));
	seq_printf(m, "CCaps:\t%016llx\n", READ_ONCE(ctx->ccaps));
	vs_proc_show_devices(m, ctx);
	vs_net_show(m, ctx->xid);
	return 0;
}

static int vs_proc_context_limit_show(struct seq_file *m, void *v)
{
	const struct vs_context *ctx = m->private;

	vs_limits_show(m, ctx->xid);
	return 0;
}

/* A file of another context is not there, whoever handed in its path. */
static int vs_proc_context_open(struct inode *inode, struct file *file,
				int (*show)(struct seq_file *, void *))
{
	const struct vs_context *ctx = pde_data(inode);

	if (!vs_context_visible(vs_proc_viewer(), ctx->xid))
		return -ENOENT;
	return single_open(file, show, (void *)ctx);
}

static int vs_proc_context_info_open(struct inode *inode, struct file *file)
{
	return vs_proc_context_open(inode, file, vs_proc_context_info_show);
}

static int vs_proc_context_status_open(struct inode *inode, struct file *file)
{
	return vs_proc_context_open(inode, file, vs_proc_context_status_show);
}

static int vs_proc_context_limit_open(struct inode *inode, struct file *file)
{
	return vs_proc_context_open(inode, file, vs_proc_context_limit_show);
}

static const struct proc_ops vs_proc_context_info_ops = {
	.proc_open = vs_proc_context_info_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static const struct proc_ops vs_proc_context_status_ops = {
	.proc_open = vs_proc_context_status_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static const struct proc_ops vs_proc_context_limit_ops = {
	.proc_open = vs_proc_context_limit_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

/* Is @dentry /proc/virtual?  Under RCU. */
static bool vs_proc_is_root(const struct dentry *dentry)
{
	const struct inode *inode = d_inode_rcu(dentry);

	return inode && inode->i_private == &vs_proc_marker;
}

/**
 * vs_proc_path_allowed - may a guest reach a path of /proc/virtual?
 * @xid: the guest's context
 * @path: a path it names
 *
 * Called for every path a guest names, so anything outside procfs is
 * passed at once.  Never sleeps.
 *
 * Return: 0, or -ENOENT for another context's directory or a file in it,
 * as for an xid no context has.
 */
int vs_proc_path_allowed(u32 xid, const struct path *path)
{
	const struct dentry *dentry = path->dentry;
	const struct dentry *parent;
	const struct inode *inode;
	int err = 0;
	int depth;

	if (xid < VSERVER_GUEST_XID_MIN ||
	    path->mnt->mnt_sb->s_magic != PROC_SUPER_MAGIC)
		return 0;

	rcu_read_lock();
	/* A context file is two levels below /proc/virtual, its directory one. */
	for (depth = 0; depth < 2; depth++, dentry = parent) {
		parent = READ_ONCE(dentry->d_parent);
		if (parent == dentry)
			break;
		if (!vs_proc_is_root(parent))
			continue;
		inode = d_inode_rcu(dentry);
		if (inode && S_ISDIR(inode->i_mode) &&
		    (uintptr_t)inode->i_private != xid)
			err = -ENOENT;
		break;
	}
	rcu_read_unlock();
	return err;
}

int vs_proc_add_context(struct vs_context *ctx)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", ctx->xid);
	ctx->proc = proc_mkdir_data(name, 0, vs_proc_root,
				    (void *)(uintptr_t)ctx->xid);
	if (!ctx->proc)
		return -ENOMEM;
	if (!proc_create_data("info", 0444, ctx->proc,
			      &vs_proc_context_info_ops, ctx) ||
	    !proc_create_data("status", 0444, ctx->proc,
			      &vs_proc_context_status_ops, ctx) ||
	    !proc_create_data("limit", 0444, ctx->proc,
			      &vs_proc_context_limit_ops, ctx)) {
		proc_remove(ctx->proc);
		ctx->proc = NULL;
		return -ENOMEM;
	}
	return 0;
}

void vs_proc_remove_context(struct vs_context *ctx)
{
	proc_remove(ctx->proc);
	ctx->proc = NULL;
}

/* Only a context's own directory is there for a guest; "info" is for all. */
static bool vs_proc_child_visible(const void *data)
{
	return !data || vs_context_visible(vs_proc_viewer(), (uintptr_t)data);
}

int vs_proc_init(void)
{
	vs_proc_root = proc_mkdir_data("virtual", 0, NULL, (void *)&vs_proc_marker);
	if (!vs_proc_root)
		return -ENOMEM;
	proc_dir_set_child_filter(vs_proc_root, vs_proc_child_visible);
	if (!proc_create_single("info", 0444, vs_proc_root,
				vs_proc_info_show)) {
		proc_remove(vs_proc_root);
		return -ENOMEM;
	}
	return 0;
}

void vs_proc_exit(void)
{
	proc_remove(vs_proc_root);
}
