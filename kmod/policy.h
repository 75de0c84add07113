/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - the policy callbacks of the vserver LSM
 */

#ifndef _VSERVER_POLICY_H
#define _VSERVER_POLICY_H

#include <linux/types.h>

struct cred;
struct dentry;
struct path;
struct user_namespace;
enum vserver_perm;

void vs_bound_cred(struct cred *cred, u64 bcaps);

int vs_capable(const struct cred *cred, u32 xid, struct user_namespace *ns,
	       int cap, unsigned int opts);
int vs_permitted(u32 xid, enum vserver_perm perm);
int vs_path_allowed(u32 xid, const struct path *path);
int vs_dentry_allowed(u32 xid, struct dentry *dentry);
int vs_device_allowed(u32 xid, umode_t type, dev_t dev, unsigned int access);
int vs_reboot(u32 xid, unsigned int cmd);

#endif /* _VSERVER_POLICY_H */
