// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - Linux-VServer style contexts for the vserver LSM
 *
 * The built-in vserver LSM tags every task with a context id.  This module
 * holds the contexts behind those ids and their policy, registers the
 * LSM's policy callbacks, and speaks to userspace over generic netlink and
 * /proc/virtual.
 */

#include "common.h"

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/vserver.h>

#include "context.h"
#include "netlink.h"
#include "proc.h"

static int vs_capable(const struct cred *cred, u32 xid,
		      struct user_namespace *ns, int cap, unsigned int opts)
{
	/* The spectator may look at everything and change nothing. */
	if (xid == VSERVER_SPECTATOR_XID)
		return -EPERM;
	return 0;
}

static const struct vserver_ops vs_ops = {
	.task_attach = vs_task_attach,
	.task_detach = vs_task_detach,
	.capable = vs_capable,
};

static int __init vs_init(void)
{
	int err;

	BUILD_BUG_ON(VSERVER_HOST_XID != VSERVER_XID_HOST);
	BUILD_BUG_ON(VSERVER_SPECTATOR_XID != VSERVER_XID_SPECTATOR);
	BUILD_BUG_ON(VSERVER_GUEST_XID_MIN != VSERVER_XID_GUEST_MIN);

	err = vs_contexts_init();
	if (err)
		return err;
	err = vs_proc_init();
	if (err)
		goto err_contexts;
	err = vserver_register_ops(&vs_ops);
	if (err) {
		if (err == -EOPNOTSUPP)
			pr_err("the vserver LSM is not active: add \"vserver\" first to lsm= (or CONFIG_LSM)\n");
		goto err_proc;
	}
	err = vs_netlink_init();
	if (err)
		goto err_ops;
	return 0;

err_ops:
	vserver_unregister_ops(&vs_ops);
err_proc:
	vs_proc_exit();
err_contexts:
	vs_contexts_exit();
	return err;
}

static void __exit vs_exit(void)
{
	vs_netlink_exit();
	vserver_unregister_ops(&vs_ops);
	vs_proc_exit();
	vs_contexts_exit();
}

module_init(vs_init);
module_exit(vs_exit);

MODULE_DESCRIPTION("Linux-VServer style contexts for the vserver LSM");
MODULE_LICENSE("GPL");
