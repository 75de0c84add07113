// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - /proc/virtual
 *
 * /proc/virtual/info describes the module; /proc/virtual/<xid>/info and
 * status each context, for as long as it lives.  The files are text, one "Key:\tvalue"
 * per line, as Linux-VServer's were, so scripts written for it can read
 * them.
 */

#include "common.h"

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>

#include "context.h"
#include "proc.h"

static struct proc_dir_entry *vs_proc_root;

static int vs_proc_info_show(struct seq_file *m, void *v)
{
	seq_printf(m, "Family:\t%s\n", VSERVER_GENL_NAME);
	seq_printf(m, "Version:\t%u\n", VSERVER_GENL_VERSION);
	seq_printf(m, "Contexts:\t%u\n", vs_context_count());
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

/* The policy as Linux-VServer showed it: sets as hexadecimal bit masks. */
static int vs_proc_context_status_show(struct seq_file *m, void *v)
{
	const struct vs_context *ctx = m->private;

	seq_printf(m, "Tasks:\t%u\n", READ_ONCE(ctx->tasks));
	seq_printf(m, "Flags:\t%016llx\n", READ_ONCE(ctx->flags));
	seq_printf(m, "BCaps:\t%016llx\n", READ_ONCE(ctx->bcaps));
	seq_printf(m, "CCaps:\t%016llx\n", READ_ONCE(ctx->ccaps));
	return 0;
}

int vs_proc_add_context(struct vs_context *ctx)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", ctx->xid);
	ctx->proc = proc_mkdir(name, vs_proc_root);
	if (!ctx->proc)
		return -ENOMEM;
	if (!proc_create_single_data("info", 0444, ctx->proc,
				     vs_proc_context_info_show, ctx) ||
	    !proc_create_single_data("status", 0444, ctx->proc,
				     vs_proc_context_status_show, ctx)) {
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

int vs_proc_init(void)
{
	vs_proc_root = proc_mkdir("virtual", NULL);
	if (!vs_proc_root)
		return -ENOMEM;
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
