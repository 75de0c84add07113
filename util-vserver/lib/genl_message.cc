#include "genl_message.h"

#include <linux/genetlink.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace vs {

GenlRequest::GenlRequest(uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer_.data());
  nlh->nlmsg_type = family;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  auto* genl = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
  genl->cmd = cmd;
  genl->version = version;
  genl->reserved = 0;
}

namespace {

void requireRoom(bool fits) {
  if (!fits) throw Error(EMSGSIZE, "netlink request too large");
}

}  // namespace

void GenlRequest::putU64(uint16_t type, uint64_t value) {
  requireRoom(mnl_attr_put_check(header(), buffer_.size(), type, sizeof(value), &value));
}

void GenlRequest::putU32(uint16_t type, uint32_t value) {
  requireRoom(mnl_attr_put_u32_check(header(), buffer_.size(), type, value));
}

void GenlRequest::putU16(uint16_t type, uint16_t value) {
  requireRoom(mnl_attr_put_u16_check(header(), buffer_.size(), type, value));
}

void GenlRequest::putString(uint16_t type, const std::string& value) {
  requireRoom(mnl_attr_put_strz_check(header(), buffer_.size(), type, value.c_str()));
}

void GenlRequest::putBytes(uint16_t type, const void* data, size_t size) {
  requireRoom(mnl_attr_put_check(header(), buffer_.size(), type, size, data));
}

size_t GenlRequest::beginNest(uint16_t type) {
  const nlattr* nest = mnl_attr_nest_start_check(header(), buffer_.size(), type);
  requireRoom(nest != nullptr);
  return static_cast<size_t>(reinterpret_cast<const char*>(nest) - buffer_.data());
}

void GenlRequest::endNest(size_t offset) {
  // An offset that is no attribute of this message would have the nest's
  // length written over another's bytes, or past the message.
  if (offset < NLMSG_HDRLEN + GENL_HDRLEN || offset + NLA_HDRLEN > size())
    throw Error(EINVAL, "netlink nest end without its start");
  mnl_attr_nest_end(header(), reinterpret_cast<nlattr*>(buffer_.data() + offset));
}

void GenlRequest::setSequence(uint32_t seq) { header()->nlmsg_seq = seq; }

namespace {

// Reads the NLMSGERR_ATTR_MSG extended-ack attribute found at offset in
// the payload, if the message has any.
std::string extackMessage(const nlmsghdr* nlh, size_t offset) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  if (mnl_nlmsg_get_payload_len(nlh) < offset) return {};

  const auto* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, offset));
       mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<const char*>(attr)));
       attr = static_cast<const nlattr*>(mnl_attr_next(attr))) {
    if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG) continue;
    if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) break;
    return mnl_attr_get_str(attr);
  }
  return {};
}

}  // namespace

NetlinkStatus parseNetlinkStatus(const nlmsghdr* nlh) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr))
    throw Error(EPROTO, "truncated netlink error message");
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  if (!err->error) return {};
  // The TLVs follow the echoed request, or only its header when the kernel
  // capped the echo (NLM_F_CAPPED).
  size_t offset = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
  return NetlinkStatus{err->error, extackMessage(nlh, offset)};
}

NetlinkStatus parseDumpDone(const nlmsghdr* nlh) {
  int error = 0;
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
    throw Error(EPROTO, "truncated netlink dump end message");
  std::memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
  if (!error) return {};
  return NetlinkStatus{error, extackMessage(nlh, NLMSG_ALIGN(sizeof(error)))};
}

namespace {

struct ParseContext {
  const mnl_attr_data_type* expectedTypes;
  const nlattr** table;
  uint16_t maxType;
  int badType = -1;
};

int collectAttribute(const nlattr* attr, void* data) {
  auto* ctx = static_cast<ParseContext*>(data);
  const uint16_t type = mnl_attr_get_type(attr);
  if (type == 0 || type > ctx->maxType) return MNL_CB_OK;
  if (mnl_attr_validate(attr, ctx->expectedTypes[type]) < 0) {
    ctx->badType = type;
    return MNL_CB_ERROR;
  }
  ctx->table[type] = attr;
  return MNL_CB_OK;
}

void clearTable(const nlattr** table, uint16_t maxType) {
  for (uint16_t t = 0; t <= maxType; t++) table[t] = nullptr;
}

// ret is what mnl_attr_parse*() returned.
void checkParsed(int ret, const ParseContext& ctx) {
  if (ret >= 0) return;
  if (ctx.badType >= 0)
    throw Error(EPROTO, "malformed attribute " + std::to_string(ctx.badType) + " in netlink reply");
  throw Error(EPROTO, "malformed netlink reply");
}

}  // namespace

void parseGenlAttributes(const nlmsghdr* nlh, const mnl_attr_data_type* expectedTypes,
                         const nlattr** table, uint16_t maxType) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(genlmsghdr))
    throw Error(EPROTO, "truncated generic netlink message");
  clearTable(table, maxType);
  ParseContext ctx{expectedTypes, table, maxType};
  checkParsed(mnl_attr_parse(nlh, sizeof(genlmsghdr), collectAttribute, &ctx), ctx);
}

void parseNestedAttributes(const nlattr* nest, const mnl_attr_data_type* expectedTypes,
                           const nlattr** table, uint16_t maxType) {
  clearTable(table, maxType);
  ParseContext ctx{expectedTypes, table, maxType};
  checkParsed(mnl_attr_parse_nested(nest, collectAttribute, &ctx), ctx);
}

std::vector<const nlattr*> nestedList(const nlattr* nest) {
  std::vector<const nlattr*> items;
  const auto* payload = static_cast<const char*>(mnl_attr_get_payload(nest));
  const char* end = payload + mnl_attr_get_payload_len(nest);
  for (auto* attr = reinterpret_cast<const nlattr*>(payload);
       mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<const char*>(attr)));
       attr = static_cast<const nlattr*>(mnl_attr_next(attr))) {
    if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
      throw Error(EPROTO, "malformed list item in netlink reply");
    items.push_back(attr);
  }
  return items;
}

}  // namespace vs
