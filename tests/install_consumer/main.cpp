// Links the installed library: generates planted-shift data, labels the targets of a
// leave-one-out split, scores a hand-made ranking and lists the registered readers (which
// exist only if the library kept its self-registering parts). Prints one line per check.
#include <iostream>

#include "datasets/reader.h"
#include "datasets/shift_labels.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "eval/metric.h"

int main() {
  shiftrec::SyntheticOptions options;
  options.users = 40;
  options.items = 30;
  options.categories = 5;
  const shiftrec::SyntheticData data = shiftrec::generate_synthetic(options);
  const shiftrec::Split split = shiftrec::leave_one_out(data.interactions);
  std::cout << "users " << data.interactions.n_users << " test_targets " << split.test.size()
            << "\n";
  const auto metric = shiftrec::make_metric("ndcg@10");
  std::cout << "ndcg_rank1 " << metric->value(1) << "\n";
  std::cout << "csv_reader " << (shiftrec::reader_registry().contains("csv") ? "yes" : "no")
            << "\n";
  return 0;
}
