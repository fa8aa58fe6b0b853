#include "core/reassembly/seq.h"

#include <catch2/catch.hpp>

using namespace netcap;

TEST_CASE("seq: RFC 1982 comparisons across the 2^32 wrap") {
  CHECK(seq_lt(1, 2));
  CHECK_FALSE(seq_lt(2, 1));
  CHECK(seq_lt(0xffffffffu, 0));  // 2^32 - 1 is just before 0
  CHECK(seq_gt(5, 0xfffffff0u));
  CHECK(seq_leq(7, 7));
  CHECK(seq_geq(7, 7));
  CHECK_FALSE(seq_lt(7, 7));
  CHECK(seq_diff(3, 0xfffffffeu) == 5);
  CHECK(seq_diff(0xfffffffeu, 3) == -5);
  CHECK(seq_diff(0x7fffffffu, 0) == 0x7fffffff);
  // Exactly 2^31 apart is undefined in RFC 1982; here it is "behind" both ways.
  CHECK(seq_diff(0x80000000u, 0) == -0x80000000LL);
  CHECK(seq_diff(0, 0x80000000u) == -0x80000000LL);
  CHECK(seq_add(0xfffffffeu, 5) == 3u);
  CHECK(seq_max(0xfffffff0u, 4) == 4u);
  CHECK(seq_min(0xfffffff0u, 4) == 0xfffffff0u);
}
