#include "genl_message.h"

#include <linux/genetlink.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "test_helpers.h"

namespace {

// Builds an NLMSG_ERROR message the way the kernel does for a socket with
// extended acks, echoing only the request header (NLM_F_CAPPED), with an
// optional extended-ack text.
struct ErrorMessage {
  alignas(nlmsghdr) std::array<char, 512> buffer{};

  nlmsghdr* build(int error, const char* text) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data());
    nlh->nlmsg_type = NLMSG_ERROR;
    auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
    err->error = error;
    err->msg.nlmsg_len = sizeof(nlmsghdr) + 24;  // the request's length, not its body
    nlh->nlmsg_flags |= NLM_F_CAPPED;
    if (text) {
      nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
      mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
      mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
    }
    return nlh;
  }
};

}  // namespace

TEST_GROUP(GenlRequest){};

TEST(GenlRequest, BuildsHeaders) {
  vs::GenlRequest request(0x1234, 7, 1, NLM_F_DUMP);
  const nlmsghdr* nlh = request.header();
  UNSIGNED_LONGS_EQUAL(0x1234, nlh->nlmsg_type);
  UNSIGNED_LONGS_EQUAL(NLM_F_REQUEST | NLM_F_DUMP, nlh->nlmsg_flags);
  UNSIGNED_LONGS_EQUAL(NLMSG_HDRLEN + GENL_HDRLEN, request.size());
  const auto* genl = static_cast<const genlmsghdr*>(mnl_nlmsg_get_payload(nlh));
  UNSIGNED_LONGS_EQUAL(7, genl->cmd);
  UNSIGNED_LONGS_EQUAL(1, genl->version);
  UNSIGNED_LONGS_EQUAL(0, genl->reserved);
}

TEST(GenlRequest, SurvivesCopies) {
  vs::GenlRequest original(0x10, 1, 1, 0);
  original.putU32(1, 99);
  const vs::GenlRequest copy = original;
  CHECK(copy.data() != original.data());
  MEMCMP_EQUAL(original.data(), copy.data(), original.size());
}

TEST(GenlRequest, RefusesToOverflow) {
  vs::GenlRequest request(0x10, 1, 1, 0);
  const std::string big(vs::GenlRequest::kCapacity, 'x');
  const vs::Error e = vs::test::expectError([&] { request.putString(1, big); });
  LONGS_EQUAL(EMSGSIZE, e.errnum());
}

TEST(GenlRequest, NestsAttributes) {
  vs::GenlRequest request(0x10, 1, 1, 0);
  const size_t outer = request.beginNest(5);
  const size_t inner = request.beginNest(1);
  request.putU32(2, 99);
  request.endNest(inner);
  request.endNest(outer);
  request.putU32(6, 7);
  const auto* nest =
      static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(request.header(), GENL_HDRLEN));
  UNSIGNED_LONGS_EQUAL(NLA_F_NESTED | 5, nest->nla_type);
  // The outer nest holds the inner one (4 bytes) and its u32 (8 bytes).
  UNSIGNED_LONGS_EQUAL(NLA_HDRLEN + NLA_HDRLEN + 8, nest->nla_len);
  const auto* u32 = static_cast<const nlattr*>(mnl_attr_next(nest));
  UNSIGNED_LONGS_EQUAL(6, mnl_attr_get_type(u32));
  UNSIGNED_LONGS_EQUAL(7, mnl_attr_get_u32(u32));
}

TEST(GenlRequest, RefusesANestEndThatIsNoAttribute) {
  vs::GenlRequest request(0x10, 1, 1, 0);
  LONGS_EQUAL(EINVAL, vs::test::expectError([&] { request.endNest(0); }).errnum());
  LONGS_EQUAL(EINVAL,
              vs::test::expectError([&] { request.endNest(vs::GenlRequest::kCapacity); }).errnum());
}

TEST(GenlRequest, RefusesANestThatDoesNotFit) {
  vs::GenlRequest request(0x10, 1, 1, 0);
  const vs::Error e = vs::test::expectError([&] {
    for (size_t i = 0; i < vs::GenlRequest::kCapacity; i++) request.beginNest(2);
  });
  LONGS_EQUAL(EMSGSIZE, e.errnum());
}

TEST_GROUP(NetlinkStatus){};

TEST(NetlinkStatus, ReadsAnAcknowledgement) {
  ErrorMessage msg;
  const vs::NetlinkStatus status = vs::parseNetlinkStatus(msg.build(0, nullptr));
  LONGS_EQUAL(0, status.error);
  STRCMP_EQUAL("", status.message.c_str());
}

TEST(NetlinkStatus, ReadsTheExtendedAckText) {
  ErrorMessage msg;
  const vs::NetlinkStatus status =
      vs::parseNetlinkStatus(msg.build(-EEXIST, "a context with this xid exists"));
  LONGS_EQUAL(-EEXIST, status.error);
  STRCMP_EQUAL("a context with this xid exists", status.message.c_str());
}

TEST(NetlinkStatus, ErrorWithoutText) {
  ErrorMessage msg;
  const vs::NetlinkStatus status = vs::parseNetlinkStatus(msg.build(-EPERM, nullptr));
  LONGS_EQUAL(-EPERM, status.error);
  STRCMP_EQUAL("", status.message.c_str());
}

TEST(NetlinkStatus, RefusesATruncatedMessage) {
  ErrorMessage msg;
  nlmsghdr* nlh = msg.build(-EPERM, nullptr);
  nlh->nlmsg_len = NLMSG_HDRLEN + 2;
  LONGS_EQUAL(EPROTO, vs::test::expectError([&] { vs::parseNetlinkStatus(nlh); }).errnum());
}

TEST_GROUP(DumpDone){};

namespace {

nlmsghdr* buildDone(std::array<char, 256>& buffer, int error, const char* text) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data());
  nlh->nlmsg_type = NLMSG_DONE;
  nlh->nlmsg_flags = NLM_F_MULTI;
  *static_cast<int*>(mnl_nlmsg_put_extra_header(nlh, sizeof(int))) = error;
  if (text) {
    nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
  }
  return nlh;
}

}  // namespace

TEST(DumpDone, ReadsTheEndOfASuccessfulDump) {
  alignas(nlmsghdr) std::array<char, 256> buffer{};
  LONGS_EQUAL(0, vs::parseDumpDone(buildDone(buffer, 0, nullptr)).error);
}

TEST(DumpDone, ReadsAFailedDumpWithItsText) {
  alignas(nlmsghdr) std::array<char, 256> buffer{};
  const vs::NetlinkStatus status = vs::parseDumpDone(buildDone(buffer, -EPERM, "not yours"));
  LONGS_EQUAL(-EPERM, status.error);
  STRCMP_EQUAL("not yours", status.message.c_str());
}

TEST(DumpDone, RefusesATruncatedMessage) {
  alignas(nlmsghdr) std::array<char, 256> buffer{};
  nlmsghdr* nlh = buildDone(buffer, 0, nullptr);
  nlh->nlmsg_len = NLMSG_HDRLEN + 2;
  LONGS_EQUAL(EPROTO, vs::test::expectError([&] { vs::parseDumpDone(nlh); }).errnum());
}
