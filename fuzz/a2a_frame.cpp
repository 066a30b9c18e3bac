// fuzz/a2a_frame.cpp — the 4-byte big-endian length framer of both
// agentanycast protocols (a2a/frame.hpp). The input after two control bytes
// is one stream: it is fed to a FrameReader whole and again in pieces whose
// sizes come from the input (split invariance), with a small or the full
// limit. Checks: both runs yield the same frames and the same error; each
// frame re-frames (append_frame) to exactly the bytes it came from; the
// reader never buffers more than the frame it granted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <vector>

#include "a2a/frame.hpp"

using namespace a2a;

namespace {

struct Run {
  std::vector<net::Bytes> frames;
  size_t consumed = 0;  // bytes up to the end of the last frame
  std::string error;
};

// piece(i) gives the size of the i-th feed (0 = the whole rest).
template <class Piece>
Run run(net::BytesView in, size_t max_len, Piece piece) {
  Run r;
  FrameReader rd(max_len);
  size_t pos = 0, i = 0;
  while (pos < in.size()) {
    size_t n = piece(i++);
    if (n == 0 || n > in.size() - pos) n = in.size() - pos;
    net::BytesView chunk = in.subspan(pos, n);
    size_t used = 0;
    while (used < chunk.size()) {
      auto f = rd.feed(chunk.subspan(used));
      if (!f) {
        r.error = f.what();
        // Sticky: the next feed fails the same way.
        auto again = rd.feed(chunk.subspan(used));
        if (again || again.what() != r.error) abort();
        return r;
      }
      used += *f;
      if (rd.wants_reserve()) {
        if (rd.reserve_len() > max_len) abort();
        auto none = rd.feed(chunk.subspan(used));  // nothing is taken until granted
        if (!none || *none != 0) abort();
        rd.grant();
      }
      if (rd.has_frame()) {
        if (rd.frame().size() > max_len) abort();
        r.frames.emplace_back(rd.frame().begin(), rd.frame().end());
        const size_t g = rd.pop();
        if (g != 0 && g != r.frames.back().size()) abort();
        if (!rd.at_boundary()) abort();
        r.consumed = pos + used;
      }
      if (rd.buffered() > max_len + kFrameHeaderLen) abort();
    }
    pos += n;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_len = (data[0] & 1) ? kMaxFrameLen : (data[0] >> 1);  // 0..127 or 16 MiB
  const uint8_t step = data[1];
  net::BytesView in(data + 2, size - 2);

  Run whole = run(in, max_len, [](size_t) { return size_t{0}; });
  Run split = run(in, max_len, [&](size_t i) { return size_t{1} + (i * 7 + step) % (step | 1); });
  if (whole.frames != split.frames || whole.error != split.error) abort();
  if (!whole.error.empty() && whole.error.find("exceeds the limit of") == std::string::npos) abort();

  // Re-framing the frames gives back the input up to the last frame.
  net::Bytes again;
  for (const auto& f : whole.frames)
    if (!append_frame(f, again, max_len)) abort();
  if (again.size() != whole.consumed) abort();
  if (!std::equal(again.begin(), again.end(), in.begin())) abort();
  return 0;
}
