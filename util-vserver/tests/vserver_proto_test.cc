#include "vserver_proto.h"

#include <linux/genetlink.h>

#include <array>
#include <cerrno>
#include <functional>
#include <map>
#include <vector>

#include "test_helpers.h"

namespace {

constexpr uint16_t kFamily = 0x22;

const genlmsghdr* genlHeader(const vs::GenlRequest& request) {
  return static_cast<const genlmsghdr*>(mnl_nlmsg_get_payload(request.header()));
}

// The attributes of a request, by type, as raw nlattr pointers into it;
// not of a temporary, which would leave them dangling.
std::map<uint16_t, const nlattr*> attributes(vs::GenlRequest&&) = delete;
std::map<uint16_t, const nlattr*> attributes(const vs::GenlRequest& request) {
  std::map<uint16_t, const nlattr*> found;
  const nlmsghdr* nlh = request.header();
  const auto* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN));
       mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<const char*>(attr)));
       attr = static_cast<const nlattr*>(mnl_attr_next(attr)))
    found[mnl_attr_get_type(attr)] = attr;
  return found;
}

// The attributes inside nest, in order.
std::vector<const nlattr*> nested(const nlattr* nest) {
  std::vector<const nlattr*> found;
  const auto* payload = static_cast<const char*>(mnl_attr_get_payload(nest));
  const char* end = payload + mnl_attr_get_payload_len(nest);
  for (auto* attr = reinterpret_cast<const nlattr*>(payload);
       mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<const char*>(attr)));
       attr = static_cast<const nlattr*>(mnl_attr_next(attr)))
    found.push_back(attr);
  return found;
}

// The u32 attributes of a device rule's nest, by type.
std::map<uint16_t, uint32_t> ruleValues(const nlattr* rule) {
  std::map<uint16_t, uint32_t> values;
  for (const nlattr* attr : nested(rule)) {
    UNSIGNED_LONGS_EQUAL(4, mnl_attr_get_payload_len(attr));
    values[mnl_attr_get_type(attr)] = mnl_attr_get_u32(attr);
  }
  return values;
}

const vs::DeviceRule kTun{vs::DeviceRule::Type::Char, 10, 200,
                          VSERVER_DEVICE_OPEN | VSERVER_DEVICE_CREATE};
const vs::DeviceRule kLoops{vs::DeviceRule::Type::Block, 7, std::nullopt, VSERVER_DEVICE_OPEN};

// A reply from the kernel, built attribute by attribute.
struct Reply {
  alignas(nlmsghdr) std::array<char, 512> buffer{};
  nlmsghdr* nlh;

  explicit Reply(uint8_t cmd) {
    nlh = mnl_nlmsg_put_header(buffer.data());
    nlh->nlmsg_type = kFamily;
    auto* genl = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
    genl->cmd = cmd;
    genl->version = VSERVER_GENL_VERSION;
  }
};

Reply contextReply() {
  Reply reply(VSERVER_CMD_CTX_GET);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 42);
  mnl_attr_put_strz(reply.nlh, VSERVER_A_NAME, "web1");
  mnl_attr_put_u32(reply.nlh, VSERVER_A_TASKS, 3);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_UPTIME_NS, 5000000000ULL);
  return reply;
}

// Decoding must fail with EPROTO and exactly message.
template <typename Decode>
void checkProtocolError(Decode&& decode, const char* message) {
  const vs::Error e = vs::test::expectError(decode);
  LONGS_EQUAL(EPROTO, e.errnum());
  STRCMP_EQUAL(message, e.what());
}

}  // namespace

TEST_GROUP(VserverRequests){};

TEST(VserverRequests, CreateCarriesXidAndName) {
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "web1");
  UNSIGNED_LONGS_EQUAL(kFamily, request.header()->nlmsg_type);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_CTX_CREATE, genlHeader(request)->cmd);
  UNSIGNED_LONGS_EQUAL(VSERVER_GENL_VERSION, genlHeader(request)->version);
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(2, attrs.size());
  UNSIGNED_LONGS_EQUAL(4, mnl_attr_get_payload_len(attrs.at(VSERVER_A_XID)));
  UNSIGNED_LONGS_EQUAL(42, mnl_attr_get_u32(attrs.at(VSERVER_A_XID)));
  // The kernel's policy is NLA_NUL_STRING: the NUL must be sent.
  UNSIGNED_LONGS_EQUAL(5, mnl_attr_get_payload_len(attrs.at(VSERVER_A_NAME)));
  STRCMP_EQUAL("web1", mnl_attr_get_str(attrs.at(VSERVER_A_NAME)));
}

TEST(VserverRequests, CreateWithoutNameSendsNoName) {
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "");
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(1, attrs.size());
  CHECK(attrs.count(VSERVER_A_XID));
}

TEST(VserverRequests, Migrate) {
  const vs::GenlRequest request = vs::encodeContextMigrate(kFamily, 1);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_CTX_MIGRATE, genlHeader(request)->cmd);
  UNSIGNED_LONGS_EQUAL(1, mnl_attr_get_u32(attributes(request).at(VSERVER_A_XID)));
}

TEST(VserverRequests, GetOneAndDumpAll) {
  const vs::GenlRequest get = vs::encodeContextGet(kFamily, 7);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_CTX_GET, genlHeader(get)->cmd);
  UNSIGNED_LONGS_EQUAL(NLM_F_REQUEST, get.header()->nlmsg_flags);
  UNSIGNED_LONGS_EQUAL(7, mnl_attr_get_u32(attributes(get).at(VSERVER_A_XID)));

  const vs::GenlRequest dump = vs::encodeContextDump(kFamily);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_CTX_GET, genlHeader(dump)->cmd);
  UNSIGNED_LONGS_EQUAL(NLM_F_REQUEST | NLM_F_DUMP, dump.header()->nlmsg_flags);
  CHECK(attributes(dump).empty());
}

TEST(VserverRequests, TaskGetOfSelfSendsNoPid) {
  const vs::GenlRequest self = vs::encodeTaskGet(kFamily, std::nullopt);
  CHECK(attributes(self).empty());
  const vs::GenlRequest request = vs::encodeTaskGet(kFamily, 1234);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_TASK_GET, genlHeader(request)->cmd);
  UNSIGNED_LONGS_EQUAL(1234, mnl_attr_get_u32(attributes(request).at(VSERVER_A_PID)));
}

TEST(VserverRequests, TaskDumpAsksForEveryProcess) {
  const vs::GenlRequest dump = vs::encodeTaskDump(kFamily);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_TASK_GET, genlHeader(dump)->cmd);
  UNSIGNED_LONGS_EQUAL(NLM_F_REQUEST | NLM_F_DUMP, dump.header()->nlmsg_flags);
  CHECK(attributes(dump).empty());
}

TEST_GROUP(VserverReplies){};

TEST(VserverReplies, DecodesAContext) {
  const Reply reply = contextReply();
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  UNSIGNED_LONGS_EQUAL(42, info.xid);
  STRCMP_EQUAL("web1", info.name.c_str());
  UNSIGNED_LONGS_EQUAL(3, info.tasks);
  CHECK_EQUAL(5000000000ULL, info.uptimeNs);
}

TEST(VserverReplies, NameIsOptional) {
  Reply reply(VSERVER_CMD_CTX_GET);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 9);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_TASKS, 1);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_UPTIME_NS, 1);
  STRCMP_EQUAL("", vs::decodeContext(reply.nlh).name.c_str());
}

TEST(VserverReplies, SkipsAttributesFromANewerKernel) {
  Reply reply = contextReply();
  mnl_attr_put_u32(reply.nlh, VSERVER_A_MAX + 5, 0xdead);
  UNSIGNED_LONGS_EQUAL(42, vs::decodeContext(reply.nlh).xid);
}

TEST(VserverReplies, RefusesAMissingXid) {
  Reply reply(VSERVER_CMD_CTX_GET);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_TASKS, 1);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_UPTIME_NS, 1);
  checkProtocolError([&] { vs::decodeContext(reply.nlh); }, "netlink reply lacks the context id");
}

TEST(VserverReplies, RefusesAnAttributeOfTheWrongSize) {
  Reply reply(VSERVER_CMD_CTX_GET);
  mnl_attr_put_u16(reply.nlh, VSERVER_A_XID, 42);
  const vs::Error e = vs::test::expectError([&] { vs::decodeContext(reply.nlh); });
  LONGS_EQUAL(EPROTO, e.errnum());
  STRCMP_EQUAL("malformed attribute 1 in netlink reply", e.what());
}

TEST(VserverReplies, RefusesAnUnterminatedName) {
  Reply reply(VSERVER_CMD_CTX_GET);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 42);
  mnl_attr_put(reply.nlh, VSERVER_A_NAME, 4, "web1");
  LONGS_EQUAL(EPROTO, vs::test::expectError([&] { vs::decodeContext(reply.nlh); }).errnum());
}

TEST(VserverReplies, DecodesATaskXid) {
  Reply reply(VSERVER_CMD_TASK_GET);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_PID, 77);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 42);
  UNSIGNED_LONGS_EQUAL(42, vs::decodeTaskXid(reply.nlh));
}

TEST(VserverReplies, DecodesAProcessOfTheDump) {
  Reply reply(VSERVER_CMD_TASK_GET);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_PID, 77);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 42);
  const vs::TaskContext task = vs::decodeTaskContext(reply.nlh);
  LONGS_EQUAL(77, task.pid);
  UNSIGNED_LONGS_EQUAL(42, task.xid);
  CHECK_FALSE(task.startNs.has_value());
  mnl_attr_put_u64(reply.nlh, VSERVER_A_START_NS, 123456789012ULL);
  CHECK_EQUAL(123456789012ULL, vs::decodeTaskContext(reply.nlh).startNs.value());
}

TEST(VserverReplies, RefusesADumpedProcessWithoutPidOrOutOfRange) {
  Reply missing(VSERVER_CMD_TASK_GET);
  mnl_attr_put_u32(missing.nlh, VSERVER_A_XID, 42);
  LONGS_EQUAL(EPROTO, vs::test::expectError([&] { vs::decodeTaskContext(missing.nlh); }).errnum());
  Reply huge(VSERVER_CMD_TASK_GET);
  mnl_attr_put_u32(huge.nlh, VSERVER_A_PID, 0x80000000u);
  mnl_attr_put_u32(huge.nlh, VSERVER_A_XID, 42);
  checkProtocolError([&] { vs::decodeTaskContext(huge.nlh); },
                     "the kernel sent process id 2147483648");
}

TEST(VserverRequests, CreateCarriesThePolicyGiven) {
  vs::ContextPolicy policy;
  policy.flags = VSERVER_CF_STATE_SETUP;
  policy.bcaps = 0x5;
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "", policy);
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(3, attrs.size());
  CHECK_EQUAL(VSERVER_CF_STATE_SETUP, mnl_attr_get_u64(attrs.at(VSERVER_A_FLAGS)));
  CHECK_EQUAL(0x5, mnl_attr_get_u64(attrs.at(VSERVER_A_BCAPS)));
  CHECK_FALSE(attrs.count(VSERVER_A_CCAPS));
}

TEST(VserverRequests, SetSendsOnlyTheSetsThatChange) {
  vs::PolicyChange change;
  change.flags = {0, VSERVER_CF_STATE_SETUP};
  const vs::GenlRequest request = vs::encodeContextSet(kFamily, 42, change);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_CTX_SET, genlHeader(request)->cmd);
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(3, attrs.size());
  CHECK_EQUAL(0, mnl_attr_get_u64(attrs.at(VSERVER_A_FLAGS)));
  CHECK_EQUAL(VSERVER_CF_STATE_SETUP, mnl_attr_get_u64(attrs.at(VSERVER_A_FLAGS_MASK)));
}

TEST(VserverRequests, KillOfAllOrOne) {
  const vs::GenlRequest allRequest = vs::encodeContextKill(kFamily, 42, 15, std::nullopt);
  const auto all = attributes(allRequest);
  UNSIGNED_LONGS_EQUAL(2, all.size());
  UNSIGNED_LONGS_EQUAL(15, mnl_attr_get_u32(all.at(VSERVER_A_SIGNAL)));
  const vs::GenlRequest oneRequest = vs::encodeContextKill(kFamily, 42, 9, 77);
  const auto one = attributes(oneRequest);
  UNSIGNED_LONGS_EQUAL(77, mnl_attr_get_u32(one.at(VSERVER_A_PID)));
}

TEST(VserverReplies, DecodesThePolicyOfAContext) {
  Reply reply = contextReply();
  mnl_attr_put_u64(reply.nlh, VSERVER_A_FLAGS, VSERVER_CF_LOCK);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_BCAPS, VSERVER_BCAPS_DEFAULT);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_CCAPS, VSERVER_CCAP_SWAP);
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  CHECK_EQUAL(VSERVER_CF_LOCK, info.flags);
  CHECK_EQUAL(VSERVER_BCAPS_DEFAULT, info.bcaps);
  CHECK_EQUAL(VSERVER_CCAP_SWAP, info.ccaps);
}

TEST(VserverReplies, DecodesAnExitNotification) {
  Reply reply(VSERVER_CMD_CTX_EXIT);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 42);
  mnl_attr_put_strz(reply.nlh, VSERVER_A_NAME, "web1");
  mnl_attr_put_u32(reply.nlh, VSERVER_A_EXIT_REASON, VSERVER_EXIT_HALT);
  const auto event = vs::decodeExitEvent(reply.nlh);
  UNSIGNED_LONGS_EQUAL(42, event->xid);
  STRCMP_EQUAL("web1", event->name.c_str());
  STRCMP_EQUAL("halt", vs::exitReasonName(event->reason));
  CHECK_FALSE(vs::decodeExitEvent(contextReply().nlh).has_value());
}

// An exit notification carries an xid too: read as the reply to a context
// or task query it would answer for another context (issue 9, item 14).
TEST(VserverReplies, ContextDecoderRefusesAnExitNotification) {
  Reply reply(VSERVER_CMD_CTX_EXIT);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_XID, 42);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_TASKS, 0);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_UPTIME_NS, 1);
  checkProtocolError([&] { vs::decodeContext(reply.nlh); },
                     "unexpected netlink message (command 7 where 3 was due)");
}

TEST(VserverReplies, TaskDecoderRefusesAContextReply) {
  checkProtocolError([&] { vs::decodeTaskXid(contextReply().nlh); },
                     "unexpected netlink message (command 3 where 4 was due)");
}

TEST(VserverReplies, DecodersRefuseAMessageWithoutGenericHeader) {
  alignas(nlmsghdr) std::array<char, 64> buffer{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data());
  nlh->nlmsg_type = kFamily;
  LONGS_EQUAL(EPROTO, vs::test::expectError([&] { vs::decodeTaskXid(nlh); }).errnum());
  LONGS_EQUAL(EPROTO, vs::test::expectError([&] { vs::decodeExitEvent(nlh); }).errnum());
}

TEST(VserverRequests, CreateCarriesTheDeviceMap) {
  vs::ContextPolicy policy;
  policy.devices = {kTun, kLoops};
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "", policy);
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(2, attrs.size());
  const nlattr* devices = attrs.at(VSERVER_A_DEVICES);
  // Strict validation wants NLA_F_NESTED on every nest.
  CHECK(devices->nla_type & NLA_F_NESTED);
  // A rule is 4 bytes of nest header and 8 per u32; no minor, one less.
  UNSIGNED_LONGS_EQUAL(36 + 28, mnl_attr_get_payload_len(devices));
  const auto rules = nested(devices);
  UNSIGNED_LONGS_EQUAL(2, rules.size());
  UNSIGNED_LONGS_EQUAL(1, mnl_attr_get_type(rules[0]));
  UNSIGNED_LONGS_EQUAL(2, mnl_attr_get_type(rules[1]));
  CHECK(rules[0]->nla_type & NLA_F_NESTED);
  const std::map<uint16_t, uint32_t> tun = {{VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_CHAR},
                                            {VSERVER_A_DEVICE_MAJOR, 10},
                                            {VSERVER_A_DEVICE_MINOR, 200},
                                            {VSERVER_A_DEVICE_ACCESS, 3}};
  CHECK(tun == ruleValues(rules[0]));
  const std::map<uint16_t, uint32_t> loops = {{VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_BLOCK},
                                              {VSERVER_A_DEVICE_MAJOR, 7},
                                              {VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN}};
  CHECK(loops == ruleValues(rules[1]));
}

TEST(VserverRequests, AFullDeviceMapFits) {
  vs::ContextPolicy policy;
  policy.bcaps = VSERVER_BCAPS_DEFAULT;
  policy.ccaps = VSERVER_CCAP_ALL;
  policy.devices.assign(VSERVER_DEVICES_MAX, kTun);
  const std::string name(VSERVER_NAME_MAX, 'n');
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, name, policy);
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(VSERVER_DEVICES_MAX, nested(attrs.at(VSERVER_A_DEVICES)).size());
}

TEST(VserverReplies, DecodesTheDeviceMapOfAContext) {
  Reply reply = contextReply();
  nlattr* devices = mnl_attr_nest_start(reply.nlh, VSERVER_A_DEVICES);
  nlattr* rule = mnl_attr_nest_start(reply.nlh, 1);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_CHAR);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_MAJOR, 10);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_MINOR, 200);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_ACCESS, 3);
  mnl_attr_nest_end(reply.nlh, rule);
  rule = mnl_attr_nest_start(reply.nlh, 2);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_BLOCK);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_MAJOR, 7);
  mnl_attr_put_u32(reply.nlh, VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN);
  mnl_attr_nest_end(reply.nlh, rule);
  mnl_attr_nest_end(reply.nlh, devices);
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  UNSIGNED_LONGS_EQUAL(2, info.devices.size());
  CHECK(kTun == info.devices[0]);
  CHECK(kLoops == info.devices[1]);
  CHECK(vs::decodeContext(contextReply().nlh).devices.empty());
}

namespace {

// A context reply whose device map holds one rule, with the attributes
// putAttributes puts.
Reply replyWithRule(const std::function<void(nlmsghdr*)>& putAttributes) {
  Reply reply = contextReply();
  nlattr* devices = mnl_attr_nest_start(reply.nlh, VSERVER_A_DEVICES);
  nlattr* rule = mnl_attr_nest_start(reply.nlh, 1);
  putAttributes(reply.nlh);
  mnl_attr_nest_end(reply.nlh, rule);
  mnl_attr_nest_end(reply.nlh, devices);
  return reply;
}

}  // namespace

TEST(VserverReplies, RefusesAMalformedDeviceRule) {
  const Reply noMajor = replyWithRule([](nlmsghdr* nlh) {
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_CHAR);
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN);
  });
  checkProtocolError([&] { vs::decodeContext(noMajor.nlh); },
                     "netlink reply lacks the device major");
  const Reply badType = replyWithRule([](nlmsghdr* nlh) {
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_TYPE, 3);
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_MAJOR, 1);
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN);
  });
  checkProtocolError([&] { vs::decodeContext(badType.nlh); },
                     "unknown device type 3 in netlink reply");
  const Reply shortMinor = replyWithRule([](nlmsghdr* nlh) {
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_CHAR);
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_MAJOR, 1);
    mnl_attr_put_u16(nlh, VSERVER_A_DEVICE_MINOR, 3);
    mnl_attr_put_u32(nlh, VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN);
  });
  checkProtocolError([&] { vs::decodeContext(shortMinor.nlh); },
                     "malformed attribute 3 in netlink reply");
}

TEST(VserverReplies, RefusesADeviceMapThatIsNoList) {
  Reply notNested = contextReply();
  mnl_attr_put_u16(notNested.nlh, VSERVER_A_DEVICES, 1);
  checkProtocolError([&] { vs::decodeContext(notNested.nlh); },
                     "malformed attribute 15 in netlink reply");
  Reply itemNotNested = contextReply();
  nlattr* devices = mnl_attr_nest_start(itemNotNested.nlh, VSERVER_A_DEVICES);
  mnl_attr_put_u16(itemNotNested.nlh, 1, 1);
  mnl_attr_nest_end(itemNotNested.nlh, devices);
  checkProtocolError([&] { vs::decodeContext(itemNotNested.nlh); },
                     "malformed list item in netlink reply");
}

// ---- The network set (VSERVER_A_NET) ------------------------------------

namespace {

vs::IpAddress ip(const char* text) { return *vs::parseIpAddress(text); }

vs::NetworkSet webSet() {
  vs::NetworkSet net;
  net.flags = VSERVER_NF_HIDE_NETIF;
  net.caps = VSERVER_NCAP_RAW_ICMP;
  net.lback = ip("127.0.7.1");
  net.ipv4 = {ip("192.0.2.10"), ip("198.51.100.3")};
  net.ipv6 = {ip("2001:db8::10")};
  return net;
}

}  // namespace

TEST(VserverRequests, CreateCarriesTheNetworkSetInOrder) {
  vs::ContextPolicy policy;
  policy.net = webSet();
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "", policy);
  const auto items = nested(attributes(request).at(VSERVER_A_NET));
  LONGS_EQUAL(6, items.size());
  UNSIGNED_LONGS_EQUAL(VSERVER_A_NET_FLAGS, mnl_attr_get_type(items[0]));
  UNSIGNED_LONGS_EQUAL(8, mnl_attr_get_payload_len(items[0]));
  CHECK_EQUAL(VSERVER_NF_HIDE_NETIF, mnl_attr_get_u64(items[0]));
  UNSIGNED_LONGS_EQUAL(VSERVER_A_NET_CAPS, mnl_attr_get_type(items[1]));
  CHECK_EQUAL(VSERVER_NCAP_RAW_ICMP, mnl_attr_get_u64(items[1]));
  UNSIGNED_LONGS_EQUAL(VSERVER_A_NET_LBACK, mnl_attr_get_type(items[2]));
  UNSIGNED_LONGS_EQUAL(4, mnl_attr_get_payload_len(items[2]));
  // Network byte order: 127.0.7.1 is 7f 00 07 01 on the wire.
  const auto* lback = static_cast<const uint8_t*>(mnl_attr_get_payload(items[2]));
  UNSIGNED_LONGS_EQUAL(0x7f, lback[0]);
  UNSIGNED_LONGS_EQUAL(0x07, lback[2]);
  UNSIGNED_LONGS_EQUAL(0x01, lback[3]);
  UNSIGNED_LONGS_EQUAL(VSERVER_A_NET_ADDR4, mnl_attr_get_type(items[3]));
  UNSIGNED_LONGS_EQUAL(VSERVER_A_NET_ADDR4, mnl_attr_get_type(items[4]));
  UNSIGNED_LONGS_EQUAL(198, static_cast<const uint8_t*>(mnl_attr_get_payload(items[4]))[0]);
  UNSIGNED_LONGS_EQUAL(VSERVER_A_NET_ADDR6, mnl_attr_get_type(items[5]));
  UNSIGNED_LONGS_EQUAL(16, mnl_attr_get_payload_len(items[5]));
}

TEST(VserverRequests, AnEmptyNetworkSetStillConfines) {
  vs::ContextPolicy policy;
  policy.net = vs::NetworkSet{};
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "", policy);
  const auto items = nested(attributes(request).at(VSERVER_A_NET));
  // Flags and capabilities, both 0; no loopback (the kernel's default).
  LONGS_EQUAL(2, items.size());
  CHECK_EQUAL(0, mnl_attr_get_u64(items[0]));
}

TEST(VserverRequests, WithoutANetworkSetOrLimitsNoneIsSent) {
  const vs::GenlRequest create = vs::encodeContextCreate(kFamily, 42, "");
  CHECK_FALSE(attributes(create).count(VSERVER_A_NET));
  CHECK_FALSE(attributes(create).count(VSERVER_A_LIMITS));
  vs::PolicyChange change;
  change.flags = {0, VSERVER_CF_STATE_SETUP};
  const vs::GenlRequest set = vs::encodeContextSet(kFamily, 42, change);
  CHECK_FALSE(attributes(set).count(VSERVER_A_NET));
  CHECK_FALSE(attributes(set).count(VSERVER_A_LIMITS));
}

TEST(VserverRequests, SetReplacesTheNetworkSet) {
  vs::PolicyChange change;
  change.net = webSet();
  CHECK_FALSE(change.empty());
  const vs::GenlRequest request = vs::encodeContextSet(kFamily, 42, change);
  const auto attrs = attributes(request);
  UNSIGNED_LONGS_EQUAL(2, attrs.size());
  LONGS_EQUAL(6, nested(attrs.at(VSERVER_A_NET)).size());
}

TEST(VserverRequests, AFullNetworkSetAndDeviceMapFit) {
  vs::ContextPolicy policy;
  policy.devices.assign(VSERVER_DEVICES_MAX, kTun);
  policy.net = vs::NetworkSet{};
  for (unsigned i = 0; i < VSERVER_NET_ADDRS_MAX; i++) {
    vs::IpAddress six = ip("2001:db8::");
    six.bytes[15] = static_cast<uint8_t>(i + 1);
    policy.net->ipv6.push_back(six);
    vs::IpAddress four = ip("192.0.2.0");
    four.bytes[3] = static_cast<uint8_t>(i + 1);
    policy.net->ipv4.push_back(four);
  }
  policy.net->lback = ip("127.0.0.9");
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "web1", policy);
  LONGS_EQUAL(2 * VSERVER_NET_ADDRS_MAX + 3, nested(attributes(request).at(VSERVER_A_NET)).size());
}

TEST(VserverReplies, DecodesTheNetworkSetOfAContext) {
  Reply reply = contextReply();
  nlattr* nest = mnl_attr_nest_start(reply.nlh, VSERVER_A_NET);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_NET_FLAGS, VSERVER_NF_SINGLE_IP);
  mnl_attr_put_u64(reply.nlh, VSERVER_A_NET_CAPS, VSERVER_NCAP_RAW);
  const vs::IpAddress lback = ip("127.1.0.42"), a = ip("192.0.2.1"), b = ip("192.0.2.2"),
                      c = ip("2001:db8::1");
  mnl_attr_put(reply.nlh, VSERVER_A_NET_LBACK, 4, lback.bytes.data());
  mnl_attr_put(reply.nlh, VSERVER_A_NET_ADDR4, 4, b.bytes.data());
  mnl_attr_put(reply.nlh, VSERVER_A_NET_ADDR6, 16, c.bytes.data());
  mnl_attr_put(reply.nlh, VSERVER_A_NET_ADDR4, 4, a.bytes.data());
  mnl_attr_put_u32(reply.nlh, VSERVER_A_NET_MAX + 1, 7);  // a newer kernel's
  mnl_attr_nest_end(reply.nlh, nest);
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  CHECK(info.net.has_value());
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP, info.net->flags);
  CHECK_EQUAL(VSERVER_NCAP_RAW, info.net->caps);
  CHECK(info.net->lback == lback);
  // In the kernel's order, the order of the preferred source.
  CHECK((info.net->ipv4 == std::vector<vs::IpAddress>{b, a}));
  CHECK((info.net->ipv6 == std::vector<vs::IpAddress>{c}));
  CHECK((info.net->addresses() == std::vector<vs::IpAddress>{b, a, c}));
}

TEST(VserverReplies, AContextWithoutNetworkSetIsUnconfined) {
  Reply reply = contextReply();
  CHECK_FALSE(vs::decodeContext(reply.nlh).net.has_value());
  nlattr* nest = mnl_attr_nest_start(reply.nlh, VSERVER_A_NET);
  mnl_attr_nest_end(reply.nlh, nest);
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  CHECK(info.net.has_value());
  CHECK(info.net->addresses().empty());
}

TEST(VserverReplies, RefusesAMalformedNetworkSet) {
  {
    Reply reply = contextReply();
    nlattr* nest = mnl_attr_nest_start(reply.nlh, VSERVER_A_NET);
    mnl_attr_put_u32(reply.nlh, VSERVER_A_NET_ADDR4, 0x01020304);
    mnl_attr_put_u32(reply.nlh, VSERVER_A_NET_ADDR6, 0x01020304);
    mnl_attr_nest_end(reply.nlh, nest);
    checkProtocolError([&] { vs::decodeContext(reply.nlh); },
                       "malformed IPv6 address in netlink reply");
  }
  {
    Reply reply = contextReply();
    nlattr* nest = mnl_attr_nest_start(reply.nlh, VSERVER_A_NET);
    mnl_attr_put_u32(reply.nlh, VSERVER_A_NET_FLAGS, 1);
    mnl_attr_nest_end(reply.nlh, nest);
    checkProtocolError([&] { vs::decodeContext(reply.nlh); },
                       "malformed network flags in netlink reply");
  }
}

TEST_GROUP(VserverNetworkSet){};

TEST(VserverNetworkSet, AddRemoveContains) {
  vs::NetworkSet net;
  net.add(ip("2001:db8::1"));
  net.add(ip("192.0.2.1"));
  CHECK(net.contains(ip("192.0.2.1")));
  CHECK_FALSE(net.contains(ip("192.0.2.2")));
  CHECK(net.remove(ip("2001:db8::1")));
  CHECK_FALSE(net.remove(ip("2001:db8::1")));
  CHECK((net.addresses() == std::vector<vs::IpAddress>{ip("192.0.2.1")}));
}

TEST(VserverNetworkSet, NameTables) {
  CHECK_EQUAL(VSERVER_NF_HIDE_NETIF, vs::bitOfName(vs::BitSet::NetworkFlags, "hide_netif"));
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP, vs::bitOfName(vs::BitSet::NetworkFlags, "SINGLE_IP"));
  CHECK_EQUAL(VSERVER_NCAP_RAW_ICMP, vs::bitOfName(vs::BitSet::NetworkCapabilities, "raw_icmp"));
  CHECK_EQUAL(VSERVER_NCAP_RAW, vs::bitOfName(vs::BitSet::NetworkCapabilities, "raw"));
  CHECK((vs::namesOfBits(vs::BitSet::NetworkFlags, VSERVER_NF_ALL) ==
         std::vector<std::string>{"hide_netif", "single_ip"}));
  STRCMP_EQUAL("unknown network capability 'tun'",
               vs::test::expectError([] { vs::bitOfName(vs::BitSet::NetworkCapabilities, "tun"); })
                   .what());
}

// ---- The counted limits (VSERVER_A_LIMITS) ------------------------------

namespace {

// The resource nests of a request's VSERVER_A_LIMITS, each checked to
// hold its hard limit alone: resource -> hard.
std::map<uint16_t, uint64_t> hardLimitsSent(const vs::GenlRequest& request) {
  const nlattr* limits = attributes(request).at(VSERVER_A_LIMITS);
  CHECK(limits->nla_type & NLA_F_NESTED);
  std::map<uint16_t, uint64_t> sent;
  for (const nlattr* resource : nested(limits)) {
    CHECK(resource->nla_type & NLA_F_NESTED);
    const auto items = nested(resource);
    LONGS_EQUAL(1, items.size());
    UNSIGNED_LONGS_EQUAL(VSERVER_A_LIMIT_HARD, mnl_attr_get_type(items[0]));
    UNSIGNED_LONGS_EQUAL(8, mnl_attr_get_payload_len(items[0]));
    sent[mnl_attr_get_type(resource)] = mnl_attr_get_u64(items[0]);
  }
  return sent;
}

// Puts one resource's nest as the kernel does, padding included.
void putLimit(nlmsghdr* nlh, uint16_t resource, const vs::CountedLimit& limit) {
  nlattr* nest = mnl_attr_nest_start(nlh, resource);
  mnl_attr_put(nlh, VSERVER_A_LIMIT_PAD, 0, nullptr);
  mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_HARD, limit.hard);
  mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_CURRENT, limit.current);
  mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_HELD, limit.held);
  mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_HITS, limit.hits);
  mnl_attr_nest_end(nlh, nest);
}

// A context reply whose VSERVER_A_LIMITS holds what putItems puts.
Reply replyWithLimits(const std::function<void(nlmsghdr*)>& putItems) {
  Reply reply = contextReply();
  nlattr* limits = mnl_attr_nest_start(reply.nlh, VSERVER_A_LIMITS);
  putItems(reply.nlh);
  mnl_attr_nest_end(reply.nlh, limits);
  return reply;
}

}  // namespace

TEST(VserverRequests, CreateCarriesTheHardLimits) {
  vs::ContextPolicy policy;
  policy.limits = {{VSERVER_LIMIT_LOCKS, 50},
                   {VSERVER_LIMIT_MSGQUEUE, VSERVER_LIMIT_INFINITY},
                   {VSERVER_LIMIT_NOFILE, 100}};
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "", policy);
  UNSIGNED_LONGS_EQUAL(2, attributes(request).size());
  // In the enum's order, whatever the order given.
  const std::map<uint16_t, uint64_t> expected = {{VSERVER_LIMIT_NOFILE, 100},
                                                 {VSERVER_LIMIT_MSGQUEUE, VSERVER_LIMIT_INFINITY},
                                                 {VSERVER_LIMIT_LOCKS, 50}};
  CHECK(expected == hardLimitsSent(request));
  const auto nests = nested(attributes(request).at(VSERVER_A_LIMITS));
  UNSIGNED_LONGS_EQUAL(VSERVER_LIMIT_NOFILE, mnl_attr_get_type(nests.front()));
  UNSIGNED_LONGS_EQUAL(VSERVER_LIMIT_LOCKS, mnl_attr_get_type(nests.back()));
}

TEST(VserverRequests, SetChangesOnlyTheLimitsNamed) {
  vs::PolicyChange change;
  change.limits = {{VSERVER_LIMIT_NSOCK, 5}};
  CHECK_FALSE(change.empty());
  const vs::GenlRequest request = vs::encodeContextSet(kFamily, 42, change);
  UNSIGNED_LONGS_EQUAL(VSERVER_CMD_CTX_SET, genlHeader(request)->cmd);
  UNSIGNED_LONGS_EQUAL(2, attributes(request).size());
  const std::map<uint16_t, uint64_t> expected = {{VSERVER_LIMIT_NSOCK, 5}};
  CHECK(expected == hardLimitsSent(request));
}

// The semaphores (nsems) go in a nest of their own beside their sets'.
TEST(VserverRequests, CreateCarriesTheSemaphoresBesideTheirSets) {
  vs::ContextPolicy policy;
  policy.limits = {{VSERVER_LIMIT_NSEMS, 10}, {VSERVER_LIMIT_SEMARY, 4}};
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "", policy);
  const std::map<uint16_t, uint64_t> expected = {{VSERVER_LIMIT_SEMARY, 4},
                                                 {VSERVER_LIMIT_NSEMS, 10}};
  CHECK(expected == hardLimitsSent(request));
  const auto nests = nested(attributes(request).at(VSERVER_A_LIMITS));
  LONGS_EQUAL(2, nests.size());
  UNSIGNED_LONGS_EQUAL(VSERVER_LIMIT_NSEMS, mnl_attr_get_type(nests[1]));
}

TEST(VserverRequests, EveryLimitFitsWithAFullPolicy) {
  vs::ContextPolicy policy;
  policy.devices.assign(VSERVER_DEVICES_MAX, kTun);
  for (uint16_t resource = 1; resource <= VSERVER_LIMIT_MAX; resource++)
    policy.limits[static_cast<vserver_limit_resource>(resource)] = resource;
  const vs::GenlRequest request = vs::encodeContextCreate(kFamily, 42, "web1", policy);
  LONGS_EQUAL(VSERVER_LIMIT_MAX, hardLimitsSent(request).size());
}

TEST(VserverReplies, DecodesTheLimitsOfAContext) {
  const vs::CountedLimit files{.hard = 100, .current = 12, .held = 40, .hits = 3};
  const vs::CountedLimit sockets{.hard = VSERVER_LIMIT_INFINITY, .current = 2, .held = 2, .hits = 0};
  const Reply reply = replyWithLimits([&](nlmsghdr* nlh) {
    putLimit(nlh, VSERVER_LIMIT_NSOCK, sockets);
    putLimit(nlh, VSERVER_LIMIT_MAX + 1, files);  // a newer kernel's
    putLimit(nlh, VSERVER_LIMIT_NOFILE, files);
  });
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  LONGS_EQUAL(2, info.limits.size());
  CHECK(files == info.limits.at(VSERVER_LIMIT_NOFILE));
  CHECK(sockets == info.limits.at(VSERVER_LIMIT_NSOCK));
  CHECK(vs::decodeContext(contextReply().nlh).limits.empty());
}

TEST(VserverReplies, DecodesTheSemaphoresOfAContext) {
  const vs::CountedLimit sets{.hard = VSERVER_LIMIT_INFINITY, .current = 2, .held = 3, .hits = 0};
  const vs::CountedLimit semaphores{.hard = 10, .current = 8, .held = 10, .hits = 2};
  const Reply reply = replyWithLimits([&](nlmsghdr* nlh) {
    putLimit(nlh, VSERVER_LIMIT_SEMARY, sets);
    putLimit(nlh, VSERVER_LIMIT_NSEMS, semaphores);
  });
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  LONGS_EQUAL(2, info.limits.size());
  CHECK(sets == info.limits.at(VSERVER_LIMIT_SEMARY));
  CHECK(semaphores == info.limits.at(VSERVER_LIMIT_NSEMS));
}

TEST(VserverReplies, DecodesTheFileLocksOfAContext) {
  const vs::CountedLimit locks{.hard = 3, .current = 3, .held = 3, .hits = 4};
  const Reply reply =
      replyWithLimits([&](nlmsghdr* nlh) { putLimit(nlh, VSERVER_LIMIT_LOCKS, locks); });
  const vs::ContextInfo info = vs::decodeContext(reply.nlh);
  LONGS_EQUAL(1, info.limits.size());
  CHECK(locks == info.limits.at(VSERVER_LIMIT_LOCKS));
}

TEST(VserverReplies, RefusesAMalformedLimit) {
  const Reply noHits = replyWithLimits([](nlmsghdr* nlh) {
    nlattr* nest = mnl_attr_nest_start(nlh, VSERVER_LIMIT_SEMARY);
    mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_HARD, 1);
    mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_CURRENT, 0);
    mnl_attr_put_u64(nlh, VSERVER_A_LIMIT_HELD, 0);
    mnl_attr_nest_end(nlh, nest);
  });
  checkProtocolError([&] { vs::decodeContext(noHits.nlh); }, "netlink reply lacks the limit hits");
  const Reply shortHard = replyWithLimits([](nlmsghdr* nlh) {
    nlattr* nest = mnl_attr_nest_start(nlh, VSERVER_LIMIT_SEMARY);
    mnl_attr_put_u32(nlh, VSERVER_A_LIMIT_HARD, 1);
    mnl_attr_nest_end(nlh, nest);
  });
  checkProtocolError([&] { vs::decodeContext(shortHard.nlh); },
                     "malformed attribute 1 in netlink reply");
  const Reply notNested =
      replyWithLimits([](nlmsghdr* nlh) { mnl_attr_put_u16(nlh, VSERVER_LIMIT_NOFILE, 1); });
  checkProtocolError([&] { vs::decodeContext(notNested.nlh); },
                     "malformed list item in netlink reply");
}

TEST_GROUP(VserverCountedLimits){};

TEST(VserverCountedLimits, ResourcesHaveUtilVserversNames) {
  for (uint16_t resource = 1; resource <= VSERVER_LIMIT_MAX; resource++) {
    const auto id = static_cast<vserver_limit_resource>(resource);
    CHECK(vs::countedResourceOf(vs::countedResourceName(id)) == id);
  }
  STRCMP_EQUAL("msgqueue", vs::countedResourceName(VSERVER_LIMIT_MSGQUEUE));
  STRCMP_EQUAL("semary", vs::countedResourceName(VSERVER_LIMIT_SEMARY));
  STRCMP_EQUAL("nsems", vs::countedResourceName(VSERVER_LIMIT_NSEMS));
  CHECK(vs::countedResourceOf("nsems") == VSERVER_LIMIT_NSEMS);
  STRCMP_EQUAL("locks", vs::countedResourceName(VSERVER_LIMIT_LOCKS));
  CHECK(vs::countedResourceOf("locks") == VSERVER_LIMIT_LOCKS);
  CHECK(vs::countedResourceName(VSERVER_LIMIT_UNSPEC) == nullptr);
  CHECK_FALSE(vs::countedResourceOf("nproc").has_value());
}
