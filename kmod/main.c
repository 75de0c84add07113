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

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/vserver.h>

#include "context.h"
#include "netlink.h"
#include "policy.h"
#include "proc.h"

static const struct vserver_ops vs_ops = {
	.task_attach = vs_task_attach,
	.task_detach = vs_task_detach,
	.capable = vs_capable,
	.permitted = vs_permitted,
	.path_allowed = vs_path_allowed,
	.dentry_allowed = vs_dentry_allowed,
	.device_allowed = vs_device_allowed,
	.reboot = vs_reboot,
};

/*
 * The LSM's permissions are the context capabilities' bit numbers, its
 * device access bits and device numbers the UAPI's.
 */
static void __init vs_check_abi(void)
{
	BUILD_BUG_ON(VSERVER_HOST_XID != VSERVER_XID_HOST);
	BUILD_BUG_ON(VSERVER_SPECTATOR_XID != VSERVER_XID_SPECTATOR);
	BUILD_BUG_ON(VSERVER_GUEST_XID_MIN != VSERVER_XID_GUEST_MIN);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_SYSLOG) != VSERVER_CCAP_SYSLOG);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_MODULE) != VSERVER_CCAP_MODULE);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_KEXEC) != VSERVER_CCAP_KEXEC);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_BINARY_MOUNT) !=
		     VSERVER_CCAP_BINARY_MOUNT);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_USERNS) != VSERVER_CCAP_NAMESPACE);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_MKNOD) != VSERVER_CCAP_MKNOD);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_SYSCTL) != VSERVER_CCAP_SYSCTL);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_SWAP) != VSERVER_CCAP_SWAP);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_BPF) != VSERVER_CCAP_BPF);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_PERF) != VSERVER_CCAP_PERF);
	BUILD_BUG_ON(BIT_ULL(VSERVER_PERM_PERF + 1) - 1 != VSERVER_CCAP_ALL);
	BUILD_BUG_ON(VSERVER_DEVICE_MAY_OPEN != VSERVER_DEVICE_OPEN);
	BUILD_BUG_ON(VSERVER_DEVICE_MAY_CREATE != VSERVER_DEVICE_CREATE);
	BUILD_BUG_ON(MAJOR(~0U) != VSERVER_DEVICE_MAJOR_MAX);
	BUILD_BUG_ON(MINORMASK != VSERVER_DEVICE_MINOR_MAX);
}

static int __init vs_init(void)
{
	int err;

	vs_check_abi();
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
