#include "eval/negatives_file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "eval/evaluator.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

TEST(NegativesFile, RoundTripAndTheEvaluatorUsesThem) {
  testing::TempDir dir;
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  EvalOptions options;
  options.protocol = "pop7";
  options.sampled_negatives = 7;
  options.sampling = NegativeSampling::kPopularity;
  Evaluator drawing(split, data.interactions, options);
  const FrozenNegatives frozen = drawing.frozen_negatives();
  write_negatives(dir.file("negatives.h5"), frozen);
  const FrozenNegatives back = read_negatives(dir.file("negatives.h5"));
  EXPECT_EQ(back.protocol, "pop7");
  EXPECT_EQ(back.per_target, 7);
  EXPECT_EQ(back.by_split, frozen.by_split);

  // Another seed would draw others; stored negatives override the draw, and the candidates
  // fingerprint follows the negatives.
  options.negatives_seed = 99;
  Evaluator reloaded(split, data.interactions, options);
  const std::string drawn_fingerprint = reloaded.candidates_fingerprint("test");
  Evaluator stored(split, data.interactions, options);
  stored.use_negatives(back, "negatives.h5");
  EXPECT_EQ(stored.negatives("test"), frozen.by_split.at("test"));
  EXPECT_EQ(stored.candidates_fingerprint("test"), drawing.candidates_fingerprint("test"));
  EXPECT_NE(stored.candidates_fingerprint("test"), drawn_fingerprint);

  // Negatives that are the user's own item, or for another protocol, are refused.
  FrozenNegatives bad = back;
  const int32_t u = split.test.user[0];
  bad.by_split["test"][0] = split.items[split.offsets[u]];
  EXPECT_THROW(Evaluator(split, data.interactions, options).use_negatives(bad, "x"), UserError);
  bad = back;
  bad.protocol = "uni7";
  EXPECT_THROW(Evaluator(split, data.interactions, options).use_negatives(bad, "x"), UserError);
  // A damaged file is one clear error naming it.
  testing::write_text(dir.file("broken.h5"), "not hdf5");
  try {
    read_negatives(dir.file("broken.h5"));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("broken.h5") + ": not a readable HDF5 file");
  }
}

}  // namespace
}  // namespace shiftrec
