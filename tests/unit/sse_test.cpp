// The Server-Sent Events parser (scheduler/chat/sse.h) against the WHATWG
// rules, with every way a stream can be cut into reads.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "scheduler/chat/sse.h"

using sx::chat::SseEvent;
using sx::chat::SseParser;

namespace {

struct Got {
  std::vector<SseEvent> events;
};

std::vector<SseEvent> parse_in(const std::vector<std::string> &reads) {
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent &e) {
    out.push_back(e);
    return true;
  });
  for (const auto &r : reads) p.feed(r);
  return out;
}

// The stream cut before every byte position at once, and at every single
// position, must give the same events as one read.
void expect_split_invariant(const std::string &stream, const std::vector<std::string> &datas) {
  auto whole = parse_in({stream});
  ASSERT_EQ(whole.size(), datas.size());
  for (std::size_t i = 0; i < datas.size(); ++i) EXPECT_EQ(whole[i].data, datas[i]) << i;
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  auto by_byte = parse_in(bytes);
  ASSERT_EQ(by_byte.size(), datas.size());
  for (std::size_t i = 0; i < datas.size(); ++i) EXPECT_EQ(by_byte[i].data, datas[i]);
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    auto two = parse_in({stream.substr(0, cut), stream.substr(cut)});
    ASSERT_EQ(two.size(), datas.size()) << "cut at " << cut;
    for (std::size_t i = 0; i < datas.size(); ++i) EXPECT_EQ(two[i].data, datas[i]) << "cut at " << cut;
  }
}

}  // namespace

TEST(Sse, OpenAiFramesWithLf) {
  expect_split_invariant("data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n",
                         {"{\"a\":1}", "{\"b\":2}", "[DONE]"});
}

TEST(Sse, CrLfAndLoneCrLineEnds) {
  // A CRLF split across two reads is one line end, not two (which would
  // dispatch an event early and then see an empty line).
  expect_split_invariant("data: one\r\n\r\ndata: two\r\rdata: three\n\n", {"one", "two", "three"});
}

TEST(Sse, MultiLineDataJoinedWithLf) {
  expect_split_invariant("data: {\ndata:  \"x\": 1\ndata: }\n\n", {"{\n \"x\": 1\n}"});
}

TEST(Sse, CommentsIdsRetryAndUnknownFieldsAreNotData) {
  std::vector<SseEvent> got;
  SseParser p([&](const SseEvent &e) {
    got.push_back(e);
    return true;
  });
  p.feed(": keep-alive\nid: 7\nretry: 1500\nfoo: bar\nevent: delta\ndata: x\n\n: another\n\n");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "x");
  EXPECT_EQ(got[0].type, "delta");
  EXPECT_EQ(got[0].id, "7");
  EXPECT_EQ(p.retry_ms(), 1500);
}

TEST(Sse, FieldWithoutSpaceOrColon) {
  // "data:x" (no space) is "x"; "data" alone is an empty data line; only
  // one leading space is dropped.
  expect_split_invariant("data:x\n\ndata\ndata\n\ndata:  two spaces\n\n", {"x", "\n", " two spaces"});
}

TEST(Sse, EmptyDataDispatchesNothing) { EXPECT_TRUE(parse_in({"event: ping\n\n\n\n"}).empty()); }

TEST(Sse, LeadingBomIsDropped) {
  expect_split_invariant(
      "\xEF\xBB\xBF"
      "data: a\n\n",
      {"a"});
  // Not a BOM: the bytes are kept.
  expect_split_invariant("data: \xEF\xBB\xBF\n\n", {"\xEF\xBB\xBF"});
}

TEST(Sse, Utf8SplitInsideACharacter) {
  expect_split_invariant("data: {\"c\":\"h\xC3\xA9 \xF0\x9F\x98\x80\"}\n\n",
                         {"{\"c\":\"h\xC3\xA9 \xF0\x9F\x98\x80\"}"});
}

TEST(Sse, IncompleteLastEventIsNotDispatched) {
  SseParser p([](const SseEvent &) { return true; });
  EXPECT_TRUE(p.feed("data: a\n\ndata: {\"par"));
  EXPECT_EQ(p.events(), 1u);
  EXPECT_TRUE(p.mid_line());
}

TEST(Sse, HandlerStopsTheParse) {
  int n = 0;
  SseParser p([&](const SseEvent &) { return ++n < 2; });
  EXPECT_FALSE(p.feed("data: 1\n\ndata: 2\n\ndata: 3\n\n"));
  EXPECT_EQ(n, 2);
}

TEST(Sse, RandomReadsOfALongStream) {
  std::string stream;
  std::vector<std::string> want;
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string d = "{\"i\":" + std::to_string(i) + ",\"s\":\"" + std::string(rng() % 40, 'x') + "\"}";
    const char *eol = i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r";
    stream += std::string(i % 5 == 0 ? ": c" : "") + (i % 5 == 0 ? eol : "") + "data: " + d + eol + eol;
    want.push_back(d);
  }
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::string> reads;
    for (std::size_t at = 0; at < stream.size();) {
      std::size_t n = 1 + rng() % 200;
      reads.push_back(stream.substr(at, n));
      at += n;
    }
    auto got = parse_in(reads);
    ASSERT_EQ(got.size(), want.size()) << "trial " << trial;
    for (std::size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i].data, want[i]);
  }
}
