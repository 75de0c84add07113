/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - counted limits
 */

#ifndef _VSERVER_LIMITS_H
#define _VSERVER_LIMITS_H

#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/vserver.h>

struct genl_info;
struct seq_file;
struct sk_buff;

/**
 * struct vs_limits - the counted limits a request names
 * @given: BIT(resource) for each resource it names
 * @hard: each named resource's limit, VSERVER_LIMIT_INFINITY for none,
 *	  indexed by enum vserver_limit_resource
 */
struct vs_limits {
	unsigned long given;
	u64 hard[VSERVER_LIMIT_MAX + 1];
};

extern const struct nla_policy vs_limits_policy[VSERVER_LIMIT_MAX + 1];

int vs_limits_get(struct genl_info *info, struct vs_limits *limits);
int vs_limits_apply(u32 xid, const struct vs_limits *limits);
int vs_limits_put(struct sk_buff *skb, u32 xid);
void vs_limits_show(struct seq_file *m, u32 xid);

#endif /* _VSERVER_LIMITS_H */
