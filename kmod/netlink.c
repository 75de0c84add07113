// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - generic netlink family "vserver"
 *
 * The protocol is documented in include/uapi/linux/vserver.h.  Validation
 * is data: each command has its own attribute policy, checked strictly by
 * the netlink core before the handler runs, so a handler only sees
 * attributes it takes, with the right type, length and range.  A doit
 * runs in the sender's task, so "move me into context N" acts on current.
 */

#include "common.h"

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/kdev_t.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/vserver.h>
#include <net/genetlink.h>

#include "context.h"
#include "netlink.h"
#include "limits.h"
#include "network.h"

/* genl_ops.internal_flags: who may send the command (see the UAPI header). */
#define VS_FLAG_HOST_ADMIN BIT(0)
#define VS_FLAG_SETUP BIT(1)

static struct genl_family vs_genl_family;

enum vs_mcgrp {
	VS_MCGRP_EVENTS,
};

static const struct genl_multicast_group vs_mcgrps[] = {
	[VS_MCGRP_EVENTS] = {
		.name = VSERVER_MCGRP_EVENTS,
		/*
		 * Every context's exits; a guest may hold CAP_SYS_ADMIN
		 * (to mount), never CAP_NET_ADMIN over the host's stack.
		 */
		.flags = GENL_MCAST_CAP_NET_ADMIN | GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct netlink_range_validation vs_guest_xid_range = {
	.min = VSERVER_GUEST_XID_MIN,
	.max = VSERVER_GUEST_XID_MAX,
};

static struct netlink_range_validation vs_migrate_xid_range = {
	.min = VSERVER_SPECTATOR_XID,
	.max = VSERVER_GUEST_XID_MAX,
};

static struct netlink_range_validation vs_device_minor_range = {
	.max = VSERVER_DEVICE_MINOR_MAX,
};

static const struct nla_policy vs_device_policy[VSERVER_A_DEVICE_MAX + 1] = {
	[VSERVER_A_DEVICE_TYPE] = NLA_POLICY_RANGE(NLA_U32, VSERVER_DEVICE_CHAR,
						   VSERVER_DEVICE_BLOCK),
	[VSERVER_A_DEVICE_MAJOR] = NLA_POLICY_MAX(NLA_U32, VSERVER_DEVICE_MAJOR_MAX),
	[VSERVER_A_DEVICE_MINOR] = NLA_POLICY_FULL_RANGE(NLA_U32, &vs_device_minor_range),
	[VSERVER_A_DEVICE_ACCESS] = NLA_POLICY_RANGE(NLA_U32, 1, VSERVER_DEVICE_ACCESS_ALL),
};

#define VS_POLICY_GUEST_XID NLA_POLICY_FULL_RANGE(NLA_U32, &vs_guest_xid_range)
#define VS_POLICY_DEVICES NLA_POLICY_NESTED_ARRAY(vs_device_policy)
#define VS_POLICY_NET NLA_POLICY_NESTED(vs_net_policy)
#define VS_POLICY_LIMITS NLA_POLICY_NESTED(vs_limits_policy)
#define VS_POLICY_FLAGS NLA_POLICY_MASK(NLA_U64, VSERVER_CF_ALL)
#define VS_POLICY_CCAPS NLA_POLICY_MASK(NLA_U64, VSERVER_CCAP_ALL)

static const struct nla_policy vs_ctx_create_policy[VSERVER_A_MAX + 1] = {
	[VSERVER_A_XID] = VS_POLICY_GUEST_XID,
	[VSERVER_A_NAME] = { .type = NLA_NUL_STRING, .len = VSERVER_NAME_MAX },
	[VSERVER_A_FLAGS] = VS_POLICY_FLAGS,
	[VSERVER_A_BCAPS] = { .type = NLA_U64 },
	[VSERVER_A_CCAPS] = VS_POLICY_CCAPS,
	[VSERVER_A_DEVICES] = VS_POLICY_DEVICES,
	[VSERVER_A_NET] = VS_POLICY_NET,
	[VSERVER_A_LIMITS] = VS_POLICY_LIMITS,
};

static const struct nla_policy vs_ctx_migrate_policy[VSERVER_A_MAX + 1] = {
	[VSERVER_A_XID] = NLA_POLICY_FULL_RANGE(NLA_U32, &vs_migrate_xid_range),
};

static const struct nla_policy vs_ctx_get_policy[VSERVER_A_MAX + 1] = {
	[VSERVER_A_XID] = VS_POLICY_GUEST_XID,
};

static const struct nla_policy vs_task_get_policy[VSERVER_A_MAX + 1] = {
	[VSERVER_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy vs_ctx_set_policy[VSERVER_A_MAX + 1] = {
	[VSERVER_A_XID] = VS_POLICY_GUEST_XID,
	[VSERVER_A_FLAGS] = VS_POLICY_FLAGS,
	[VSERVER_A_FLAGS_MASK] = VS_POLICY_FLAGS,
	[VSERVER_A_BCAPS] = { .type = NLA_U64 },
	[VSERVER_A_BCAPS_MASK] = { .type = NLA_U64 },
	[VSERVER_A_CCAPS] = VS_POLICY_CCAPS,
	[VSERVER_A_CCAPS_MASK] = VS_POLICY_CCAPS,
	[VSERVER_A_DEVICES] = VS_POLICY_DEVICES,
	[VSERVER_A_NET] = VS_POLICY_NET,
	[VSERVER_A_LIMITS] = VS_POLICY_LIMITS,
};

static const struct nla_policy vs_ctx_kill_policy[VSERVER_A_MAX + 1] = {
	[VSERVER_A_XID] = VS_POLICY_GUEST_XID,
	[VSERVER_A_SIGNAL] = NLA_POLICY_RANGE(NLA_U32, 0, _NSIG),
	[VSERVER_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static u32 vs_current_xid(void)
{
	return vserver_cred_xid(current_cred());
}

/*
 * Checks a self-configuring guest addresses its own context, in setup.
 * This only turns the rest of the world away early: the context may be
 * sealed before the request is carried out, so vs_context_set() decides
 * again under the policy mutex.
 */
static bool vs_setup_allowed(const struct genl_info *info)
{
	const struct nlattr *xid = info->attrs[VSERVER_A_XID];
	const u32 caller = vs_current_xid();

	return xid && nla_get_u32(xid) == caller && vs_context_in_setup(caller);
}

static int vs_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	const u8 who = ops->internal_flags;

	if (!(who & (VS_FLAG_HOST_ADMIN | VS_FLAG_SETUP)))
		return 0;
	/* Checks the caller's context, before any capability. */
	if (vs_current_xid() != VSERVER_HOST_XID &&
	    !((who & VS_FLAG_SETUP) && vs_setup_allowed(info))) {
		GENL_SET_ERR_MSG(info, "only the host context may manage contexts");
		return -EPERM;
	}
	if (!capable(CAP_SYS_ADMIN)) {
		GENL_SET_ERR_MSG(info, "managing contexts needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	return 0;
}

/*
 * Checks a name is made of [A-Za-z0-9._-], starts with neither . nor -, and
 * has no NUL before the one that ends the attribute.
 */
static bool vs_name_valid(const struct nlattr *attr)
{
	const char *name = nla_data(attr);
	const char *p;

	if (strnlen(name, nla_len(attr)) != nla_len(attr) - 1)
		return false;
	if (!*name || *name == '.' || *name == '-')
		return false;
	for (p = name; *p; p++) {
		if (!isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	}
	return true;
}

/* Checks the request names a context; the policy has checked its range. */
static int vs_require_xid(struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, VSERVER_A_XID)) {
		GENL_SET_ERR_MSG(info, "missing context id");
		return -EINVAL;
	}
	return 0;
}

/*
 * Reads a u64 set attribute into @value; the policy cannot check a mask
 * wider than 32 bits, so the bounding set's is checked here.
 */
static int vs_get_bits(struct genl_info *info, int type, u64 valid, u64 *value)
{
	const struct nlattr *attr = info->attrs[type];

	if (!attr)
		return 0;
	*value = nla_get_u64(attr);
	if (*value & ~valid) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "unknown bit set");
		return -EINVAL;
	}
	return 0;
}

/*
 * Reads a value and its mask; a value alone replaces the whole set, a mask
 * alone means nothing and is refused.
 */
static int vs_get_change(struct genl_info *info, int type, int mask_type,
			 u64 valid, u64 *value, u64 *mask)
{
	int err;

	if (!info->attrs[type]) {
		if (info->attrs[mask_type]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[mask_type],
					    "a mask needs its value");
			return -EINVAL;
		}
		return 0;
	}
	*mask = valid;
	err = vs_get_bits(info, type, valid, value);
	return err ?: vs_get_bits(info, mask_type, valid, mask);
}

/* Reads one rule, which the policy has checked but for what it lacks. */
static int vs_get_device_rule(const struct nlattr *attr,
			      struct vs_device_rule *rule,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VSERVER_A_DEVICE_MAX + 1];
	int err;

	err = nla_parse_nested(tb, VSERVER_A_DEVICE_MAX, attr, vs_device_policy,
			       extack);
	if (err)
		return err;
	if (!tb[VSERVER_A_DEVICE_TYPE] || !tb[VSERVER_A_DEVICE_MAJOR] ||
	    !tb[VSERVER_A_DEVICE_ACCESS]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a device rule needs a type, a major and an access");
		return -EINVAL;
	}
	rule->type = nla_get_u32(tb[VSERVER_A_DEVICE_TYPE]) == VSERVER_DEVICE_CHAR ?
		     S_IFCHR : S_IFBLK;
	rule->major = nla_get_u32(tb[VSERVER_A_DEVICE_MAJOR]);
	rule->any_minor = !tb[VSERVER_A_DEVICE_MINOR];
	if (!rule->any_minor)
		rule->minor = nla_get_u32(tb[VSERVER_A_DEVICE_MINOR]);
	rule->access = nla_get_u32(tb[VSERVER_A_DEVICE_ACCESS]);
	return 0;
}

/* Reads the device map into a new *@map, if the request has one. */
static int vs_get_devices(struct genl_info *info, struct vs_device_map **map)
{
	const struct nlattr *attr = info->attrs[VSERVER_A_DEVICES];
	struct vs_device_map *new;
	const struct nlattr *rule;
	int rem, count = 0, err;

	if (!attr)
		return 0;
	nla_for_each_nested(rule, attr, rem)
		count++;
	if (count > VSERVER_DEVICES_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "too many device rules");
		return -E2BIG;
	}
	new = kzalloc(struct_size(new, rules, count), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	nla_for_each_nested(rule, attr, rem) {
		err = vs_get_device_rule(rule, &new->rules[new->count],
					 info->extack);
		if (err) {
			kfree(new);
			return err;
		}
		new->count++;
	}
	*map = new;
	return 0;
}

static int vs_ctx_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *name_attr = info->attrs[VSERVER_A_NAME];
	struct vs_policy policy = { .bcaps = VSERVER_BCAPS_DEFAULT };
	const char *name = NULL;
	u32 xid;
	int err;

	err = vs_require_xid(info) ?:
	      vs_get_bits(info, VSERVER_A_FLAGS, VSERVER_CF_ALL, &policy.flags) ?:
	      vs_get_bits(info, VSERVER_A_BCAPS, VSERVER_BCAPS_ALL, &policy.bcaps) ?:
	      vs_get_bits(info, VSERVER_A_CCAPS, VSERVER_CCAP_ALL, &policy.ccaps);
	if (err)
		return err;
	if (name_attr) {
		name = nla_data(name_attr);
		if (!vs_name_valid(name_attr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
					    "a context name is [A-Za-z0-9._-], not starting with . or -");
			return -EINVAL;
		}
	}
	xid = nla_get_u32(info->attrs[VSERVER_A_XID]);
	err = vs_get_devices(info, &policy.devices) ?:
	      vs_net_get(info, xid, &policy.net) ?:
	      vs_limits_get(info, &policy.limits);
	if (!err)
		err = vs_context_create(xid, name, &policy, info->extack);
	kfree(policy.devices);
	kfree(policy.net);
	return err;
}

static int vs_ctx_migrate_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	err = vs_require_xid(info);
	if (err)
		return err;
	return vs_context_migrate(nla_get_u32(info->attrs[VSERVER_A_XID]),
				  info->extack);
}

static int vs_ctx_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vs_policy change = {};
	int err;

	err = vs_require_xid(info) ?:
	      vs_get_change(info, VSERVER_A_FLAGS, VSERVER_A_FLAGS_MASK,
			    VSERVER_CF_ALL, &change.flags, &change.flags_mask) ?:
	      vs_get_change(info, VSERVER_A_BCAPS, VSERVER_A_BCAPS_MASK,
			    VSERVER_BCAPS_ALL, &change.bcaps, &change.bcaps_mask) ?:
	      vs_get_change(info, VSERVER_A_CCAPS, VSERVER_A_CCAPS_MASK,
			    VSERVER_CCAP_ALL, &change.ccaps, &change.ccaps_mask) ?:
	      vs_get_devices(info, &change.devices) ?:
	      vs_net_get(info, nla_get_u32(info->attrs[VSERVER_A_XID]),
			 &change.net) ?:
	      vs_limits_get(info, &change.limits);
	if (!err)
		err = vs_context_set(nla_get_u32(info->attrs[VSERVER_A_XID]),
				     &change, info->extack);
	kfree(change.devices);
	kfree(change.net);
	return err;
}

static int vs_ctx_kill_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *pid = info->attrs[VSERVER_A_PID];
	int err;

	err = vs_require_xid(info);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, VSERVER_A_SIGNAL)) {
		GENL_SET_ERR_MSG(info, "missing signal");
		return -EINVAL;
	}
	return vs_context_kill(nla_get_u32(info->attrs[VSERVER_A_XID]),
			       pid ? nla_get_u32(pid) : 0,
			       nla_get_u32(info->attrs[VSERVER_A_SIGNAL]),
			       info->extack);
}

static int vs_put_device_rule(struct sk_buff *skb, int index,
			      const struct vs_device_rule *rule)
{
	struct nlattr *nest = nla_nest_start(skb, index);

	if (!nest ||
	    nla_put_u32(skb, VSERVER_A_DEVICE_TYPE, rule->type == S_IFCHR ?
			VSERVER_DEVICE_CHAR : VSERVER_DEVICE_BLOCK) ||
	    nla_put_u32(skb, VSERVER_A_DEVICE_MAJOR, rule->major) ||
	    (!rule->any_minor &&
	     nla_put_u32(skb, VSERVER_A_DEVICE_MINOR, rule->minor)) ||
	    nla_put_u32(skb, VSERVER_A_DEVICE_ACCESS, rule->access))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The device map, if it has a rule; under rcu_read_lock(). */
static int vs_put_devices(struct sk_buff *skb, const struct vs_context *ctx)
{
	const struct vs_device_map *map = rcu_dereference(ctx->devices);
	struct nlattr *nest;
	unsigned int i;

	if (!map->count)
		return 0;
	nest = nla_nest_start(skb, VSERVER_A_DEVICES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < map->count; i++) {
		if (vs_put_device_rule(skb, i + 1, &map->rules[i]))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Called under rcu_read_lock(); @ctx is valid until it is dropped. */
static int vs_ctx_fill(struct sk_buff *skb, const struct vs_context *ctx,
		       u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vs_genl_family, flags,
			  VSERVER_CMD_CTX_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VSERVER_A_XID, ctx->xid) ||
	    (ctx->name[0] && nla_put_string(skb, VSERVER_A_NAME, ctx->name)) ||
	    nla_put_u32(skb, VSERVER_A_TASKS, READ_ONCE(ctx->tasks)) ||
	    nla_put_u64_64bit(skb, VSERVER_A_UPTIME_NS,
			      ktime_get_boottime_ns() - ctx->created_ns,
			      VSERVER_A_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_FLAGS, READ_ONCE(ctx->flags),
			      VSERVER_A_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_BCAPS, READ_ONCE(ctx->bcaps),
			      VSERVER_A_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_CCAPS, READ_ONCE(ctx->ccaps),
			      VSERVER_A_PAD) ||
	    vs_put_devices(skb, ctx) || vs_net_put(skb, ctx->xid) ||
	    vs_limits_put(skb, ctx->xid)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int vs_ctx_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct vs_context *ctx;
	struct sk_buff *reply;
	u32 xid;
	int err;

	err = vs_require_xid(info);
	if (err)
		return err;
	xid = nla_get_u32(info->attrs[VSERVER_A_XID]);

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	rcu_read_lock();
	ctx = vs_context_lookup_rcu(xid);
	if (ctx && vs_context_visible(vs_current_xid(), xid))
		err = vs_ctx_fill(reply, ctx, info->snd_portid, info->snd_seq, 0);
	else
		err = -ESRCH;
	rcu_read_unlock();

	if (err) {
		if (err == -ESRCH)
			GENL_SET_ERR_MSG(info, "no such context");
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/* cb->args[0]: the xid to resume the dump from. */
static int vs_ctx_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const u32 viewer = vs_current_xid();
	const struct vs_context *ctx;
	unsigned long xid = cb->args[0];
	int err = 0;

	rcu_read_lock();
	for (; (ctx = vs_context_next_rcu(&xid)); xid++) {
		if (!vs_context_visible(viewer, ctx->xid))
			continue;
		err = vs_ctx_fill(skb, ctx, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
	}
	rcu_read_unlock();
	cb->args[0] = xid;

	/* A full skb ends this part; the dump resumes from xid. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

static struct task_struct *vs_get_task(const struct genl_info *info)
{
	const struct nlattr *pid_attr = info->attrs[VSERVER_A_PID];
	struct task_struct *task;
	struct pid *pid;

	if (!pid_attr) {
		get_task_struct(current);
		return current;
	}
	pid = find_get_pid(nla_get_u32(pid_attr));
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	return task;
}

/*
 * One message per visible process, in pid order of the caller's PID
 * namespace, so that vserver-stat learns every process's context in a few
 * reads rather than a round trip each.  cb->args[0]: the pid to resume
 * from.  Processes, not threads: a thread's pid names no process.
 */
static int vs_task_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	const u32 viewer = vs_current_xid();
	int nr = cb->args[0];
	struct task_struct *task;
	struct pid *pid;
	int err = 0;
	u64 start;
	void *hdr;
	u32 xid;

	rcu_read_lock();
	for (; (pid = find_ge_pid(nr, ns)); nr++) {
		nr = pid_nr_ns(pid, ns);
		task = pid_task(pid, PIDTYPE_TGID);
		xid = task ? vserver_task_xid(task) : 0;
		/* As the caller's /proc/PID/stat counts it: its boot clock. */
		start = task ? timens_add_boottime_ns(task->start_boottime) : 0;
		/* A guest skips every other process: let others run. */
		cond_resched_rcu();
		if (!task || !vs_context_visible(viewer, xid))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vs_genl_family,
				  NLM_F_MULTI, VSERVER_CMD_TASK_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		if (nla_put_u32(skb, VSERVER_A_PID, nr) ||
		    nla_put_u32(skb, VSERVER_A_XID, xid) ||
		    nla_put_u64_64bit(skb, VSERVER_A_START_NS, start,
				      VSERVER_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = nr;

	/* A full skb ends this part; the dump resumes from nr. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

static int vs_task_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct task_struct *task;
	struct sk_buff *reply;
	void *hdr;
	u32 xid;
	pid_t pid;

	task = vs_get_task(info);
	if (!task) {
		GENL_SET_ERR_MSG(info, "no such task");
		return -ESRCH;
	}
	xid = vserver_task_xid(task);
	pid = task_pid_vnr(task);
	put_task_struct(task);
	/* Checks visibility after the lookup so hidden and absent look alike. */
	if (!vs_context_visible(vs_current_xid(), xid)) {
		GENL_SET_ERR_MSG(info, "no such task");
		return -ESRCH;
	}

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &vs_genl_family, 0,
				VSERVER_CMD_TASK_GET);
	if (!hdr || nla_put_u32(reply, VSERVER_A_PID, pid) ||
	    nla_put_u32(reply, VSERVER_A_XID, xid)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

/**
 * vs_netlink_notify_exit - announce that a context has ended
 * @ctx: the context, out of the table; sleeping is allowed
 *
 * A listener that misses the message (it is dropped if memory is short)
 * finds the context gone when it next asks.
 */
void vs_netlink_notify_exit(const struct vs_context *ctx)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vs_genl_family, 0, VSERVER_CMD_CTX_EXIT);
	if (!hdr || nla_put_u32(msg, VSERVER_A_XID, ctx->xid) ||
	    (ctx->name[0] && nla_put_string(msg, VSERVER_A_NAME, ctx->name)) ||
	    nla_put_u32(msg, VSERVER_A_EXIT_REASON, ctx->exit_reason)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&vs_genl_family, msg, 0, VS_MCGRP_EVENTS, GFP_KERNEL);
}

static const struct genl_ops vs_genl_ops[] = {
	{
		.cmd = VSERVER_CMD_CTX_CREATE,
		.doit = vs_ctx_create_doit,
		.policy = vs_ctx_create_policy,
		.maxattr = VSERVER_A_MAX,
		.flags = GENL_ADMIN_PERM,
		.internal_flags = VS_FLAG_HOST_ADMIN,
	},
	{
		.cmd = VSERVER_CMD_CTX_MIGRATE,
		.doit = vs_ctx_migrate_doit,
		.policy = vs_ctx_migrate_policy,
		.maxattr = VSERVER_A_MAX,
		.flags = GENL_ADMIN_PERM,
		.internal_flags = VS_FLAG_HOST_ADMIN,
	},
	{
		.cmd = VSERVER_CMD_CTX_GET,
		.doit = vs_ctx_get_doit,
		.dumpit = vs_ctx_get_dumpit,
		.policy = vs_ctx_get_policy,
		.maxattr = VSERVER_A_MAX,
	},
	{
		.cmd = VSERVER_CMD_TASK_GET,
		.doit = vs_task_get_doit,
		.dumpit = vs_task_get_dumpit,
		.policy = vs_task_get_policy,
		.maxattr = VSERVER_A_MAX,
	},
	{
		.cmd = VSERVER_CMD_CTX_SET,
		.doit = vs_ctx_set_doit,
		.policy = vs_ctx_set_policy,
		.maxattr = VSERVER_A_MAX,
		.flags = GENL_ADMIN_PERM,
		.internal_flags = VS_FLAG_SETUP,
	},
	{
		.cmd = VSERVER_CMD_CTX_KILL,
		.doit = vs_ctx_kill_doit,
		.policy = vs_ctx_kill_policy,
		.maxattr = VSERVER_A_MAX,
		.flags = GENL_ADMIN_PERM,
		.internal_flags = VS_FLAG_HOST_ADMIN,
	},
};

static struct genl_family vs_genl_family __ro_after_init = {
	.name = VSERVER_GENL_NAME,
	.version = VSERVER_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = vs_genl_ops,
	.n_ops = ARRAY_SIZE(vs_genl_ops),
	.mcgrps = vs_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vs_mcgrps),
	.pre_doit = vs_pre_doit,
	/* Guests with a network namespace of their own still get answers. */
	.netnsok = true,
	/* Strict validation on every command: resv_start_op stays 0. */
};

int vs_netlink_init(void)
{
	return genl_register_family(&vs_genl_family);
}

void vs_netlink_exit(void)
{
	genl_unregister_family(&vs_genl_family);
}
