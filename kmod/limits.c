// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - counted limits
 *
 * Reads the counted limits of a request (VSERVER_A_LIMITS), hands them to
 * the vserver LSM, which keeps each context's account, and shows the
 * accounts in replies and in /proc/virtual/<xid>/limit.
 */

#include "common.h"

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/seq_file.h>
#include <linux/vserver.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "limits.h"

static_assert(VSERVER_LIMIT_INFINITY == VSERVER_COUNT_UNLIMITED);
static_assert(VSERVER_LIMIT_MAX == VSERVER_COUNTED_NR);
static_assert(VSERVER_LIMIT_NOFILE - 1 == VSERVER_COUNT_FILES);
static_assert(VSERVER_LIMIT_NSOCK - 1 == VSERVER_COUNT_SOCKETS);
static_assert(VSERVER_LIMIT_SEMARY - 1 == VSERVER_COUNT_SEM_SETS);
static_assert(VSERVER_LIMIT_MSGQUEUE - 1 == VSERVER_COUNT_MSG_QUEUES);
static_assert(VSERVER_LIMIT_NSEMS - 1 == VSERVER_COUNT_SEMS);
static_assert(VSERVER_LIMIT_LOCKS - 1 == VSERVER_COUNT_LOCKS);

static const struct nla_policy vs_limit_policy[VSERVER_A_LIMIT_ATTR_MAX + 1] = {
	[VSERVER_A_LIMIT_HARD] = { .type = NLA_U64 },
};

#define VS_POLICY_LIMIT NLA_POLICY_NESTED(vs_limit_policy)

const struct nla_policy vs_limits_policy[VSERVER_LIMIT_MAX + 1] = {
	[VSERVER_LIMIT_NOFILE] = VS_POLICY_LIMIT,
	[VSERVER_LIMIT_NSOCK] = VS_POLICY_LIMIT,
	[VSERVER_LIMIT_SEMARY] = VS_POLICY_LIMIT,
	[VSERVER_LIMIT_MSGQUEUE] = VS_POLICY_LIMIT,
	[VSERVER_LIMIT_NSEMS] = VS_POLICY_LIMIT,
	[VSERVER_LIMIT_LOCKS] = VS_POLICY_LIMIT,
};

/* Linux-VServer's names of the resources in /proc/virtual/<xid>/limit. */
static const char *const vs_limit_names[VSERVER_LIMIT_MAX + 1] = {
	[VSERVER_LIMIT_NOFILE] = "FILES",
	[VSERVER_LIMIT_NSOCK] = "SOCK",
	[VSERVER_LIMIT_SEMARY] = "SEMA",
	[VSERVER_LIMIT_MSGQUEUE] = "MSGQ",
	[VSERVER_LIMIT_NSEMS] = "SEMS",
	[VSERVER_LIMIT_LOCKS] = "LOCKS",
};

/* The LSM's counter of a protocol resource, 1..VSERVER_LIMIT_MAX. */
static enum vserver_counted vs_limit_counted(unsigned int resource)
{
	return resource - 1;
}

/**
 * vs_limits_get - read the counted limits of a request
 * @info: the request, its attributes validated by the policy
 * @limits: filled in; @limits->given is 0 if the request names none
 *
 * Return: 0, or -EINVAL with an extended ack.
 */
int vs_limits_get(struct genl_info *info, struct vs_limits *limits)
{
	const struct nlattr *nest = info->attrs[VSERVER_A_LIMITS];
	struct nlattr *tb[VSERVER_A_LIMIT_ATTR_MAX + 1];
	const struct nlattr *attr;
	unsigned int resource;
	int rem, err;

	limits->given = 0;
	if (!nest)
		return 0;
	nla_for_each_nested(attr, nest, rem) {
		resource = nla_type(attr);
		err = nla_parse_nested(tb, VSERVER_A_LIMIT_ATTR_MAX, attr,
				       vs_limit_policy, info->extack);
		if (err)
			return err;
		if (!tb[VSERVER_A_LIMIT_HARD]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "a counted limit needs its hard value");
			return -EINVAL;
		}
		limits->hard[resource] = nla_get_u64(tb[VSERVER_A_LIMIT_HARD]);
		limits->given |= BIT(resource);
	}
	return 0;
}

/**
 * vs_limits_apply - set the limits a request names
 * @xid: the context
 * @limits: from vs_limits_get()
 *
 * Return: 0, or -ESRCH if the context has ended (then none is set).
 */
int vs_limits_apply(u32 xid, const struct vs_limits *limits)
{
	unsigned int resource;
	int err;

	for_each_set_bit(resource, &limits->given, VSERVER_LIMIT_MAX + 1) {
		err = vserver_account_set_limit(xid, vs_limit_counted(resource),
						limits->hard[resource]);
		if (err)
			return err;
	}
	return 0;
}

static int vs_limit_put(struct sk_buff *skb, unsigned int resource,
			const struct vserver_count *count)
{
	struct nlattr *nest = nla_nest_start(skb, resource);

	if (!nest ||
	    nla_put_u64_64bit(skb, VSERVER_A_LIMIT_HARD, count->limit,
			      VSERVER_A_LIMIT_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_LIMIT_CURRENT, count->current_use,
			      VSERVER_A_LIMIT_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_LIMIT_HELD, count->held,
			      VSERVER_A_LIMIT_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_LIMIT_HITS, count->hits,
			      VSERVER_A_LIMIT_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vs_limits_put - add a context's counted resources to a reply
 * @skb: the reply
 * @xid: the context
 *
 * A context on its way out has no account left and gets no attribute.
 *
 * Return: 0 or -EMSGSIZE.
 */
int vs_limits_put(struct sk_buff *skb, u32 xid)
{
	struct vserver_count count;
	struct nlattr *nest;
	unsigned int resource;

	nest = nla_nest_start(skb, VSERVER_A_LIMITS);
	if (!nest)
		return -EMSGSIZE;
	for (resource = VSERVER_LIMIT_NOFILE; resource <= VSERVER_LIMIT_MAX;
	     resource++) {
		if (vserver_account_read(xid, vs_limit_counted(resource), &count)) {
			nla_nest_cancel(skb, nest);
			return 0;
		}
		if (vs_limit_put(skb, resource, &count))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A limit as Linux-VServer showed it: -1 for none. */
static long long vs_limit_value(u64 limit)
{
	return limit == VSERVER_LIMIT_INFINITY ? -1 : (long long)limit;
}

static void vs_limit_show(struct seq_file *m, const char *name,
			  const struct vserver_count *count, u64 soft)
{
	seq_printf(m, "%s:\t%8llu\t%8llu\t%8lld/%8lld\t%6llu\n", name,
		   count->current_use, count->held, vs_limit_value(soft),
		   vs_limit_value(count->limit), count->hits);
}

/**
 * vs_limits_show - /proc/virtual/<xid>/limit
 * @m: the file
 * @xid: the context
 *
 * One line per resource, in Linux-VServer's layout: the current use, the
 * most held at once, the soft and hard limit (-1 for none) and the
 * refusals.  Tasks (PROC), memory (RSS, in pages) and CPU time (CPU, in
 * microseconds) come first, from the cgroups that bound them, where the
 * context has its own: pids.max, memory.high and memory.max and cpu.max's
 * quota per period are their limits, forks refused, the times memory
 * reached memory.max and the periods the quota ran out their hits.  A
 * counted limit has no soft level.
 */
void vs_limits_show(struct seq_file *m, u32 xid)
{
	struct vserver_cgroup_usage usage;
	struct vserver_count count;
	unsigned int resource;

	seq_puts(m, "Limit\t current\t    held\t    soft/hard\t\thits\n");
	if (vserver_account_read_cgroups(xid, &usage))
		return;
	if (usage.has_tasks)
		vs_limit_show(m, "PROC", &usage.tasks, VSERVER_LIMIT_INFINITY);
	if (usage.has_memory)
		vs_limit_show(m, "RSS", &usage.memory, usage.memory_high);
	if (usage.has_cpu)
		vs_limit_show(m, "CPU", &usage.cpu, VSERVER_LIMIT_INFINITY);
	for (resource = VSERVER_LIMIT_NOFILE; resource <= VSERVER_LIMIT_MAX;
	     resource++) {
		if (vserver_account_read(xid, vs_limit_counted(resource), &count))
			return;
		vs_limit_show(m, vs_limit_names[resource], &count,
			      VSERVER_LIMIT_INFINITY);
	}
}
