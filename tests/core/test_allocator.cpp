// The process-wide memory settings: oneDNN's cache of compiled bf16 products is bounded unless
// the user chose a bound.
#include "core/allocator.h"

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace shiftrec {
namespace {

TEST(Allocator, BoundsOneDnnsProductCacheUnlessTheUserSetIt) {
  unsetenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY");
  retain_freed_memory();
  ASSERT_NE(std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY"), nullptr);
  EXPECT_EQ(std::string(std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY")), "16");
  setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "3", 1);
  retain_freed_memory();
  EXPECT_EQ(std::string(std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY")), "3");
  unsetenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY");
}

}  // namespace
}  // namespace shiftrec
