// The HDF5 export read back with python3-h5py exactly as a user's notebook would.
#include "eval/embedding_export.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/fixtures.h"

namespace shiftrec {
namespace {

std::string run_python(const std::string& script, const testing::TempDir& dir) {
  testing::write_text(dir.file("read.py"), script);
  // Debian's python3 (with python3-h5py), not whatever python3 comes first on PATH.
  return testing::command_output("/usr/bin/python3 " + dir.file("read.py") + " 2>&1");
}

TEST(EmbeddingExport, H5pyReadsWhatWasWritten) {
  testing::TempDir dir;
  EmbeddingExport data;
  data.users = {{0.5f, -1.0f, 2.0f, 3.25f, 0.0f, -0.125f}, 2, 3, {101, 205}};
  data.items = {{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3, {7, 70, 700}};
  data.category_offsets = {0, 2, 2, 3};  // item 70 has no category
  data.category_ids = {4, 1, 9};
  data.category_names = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"};
  data.attributes = {{"model", "sasrec"}, {"config_hash", "abc123"}, {"epoch", "7"}};
  write_embeddings_hdf5(dir.file("e.h5"), data);
  EXPECT_FALSE(std::filesystem::exists(dir.file("e.h5.tmp-" + std::to_string(::getpid()))));

  const std::string out = run_python(
      "import json, h5py\n"
      "with h5py.File('" +
          dir.file("e.h5") +
          "', 'r') as f:\n"
          "    print(json.dumps({\n"
          "        'user_embeddings': f['user_embeddings'][()].tolist(),\n"
          "        'item_embeddings': f['item_embeddings'][()].tolist(),\n"
          "        'user_dtype': str(f['user_embeddings'].dtype),\n"
          "        'chunked': f['item_embeddings'].chunks is not None,\n"
          "        'user_ids': f['user_ids'][()].tolist(),\n"
          "        'item_ids': f['item_ids'][()].tolist(),\n"
          "        'item_categories': [c.tolist() for c in f['item_categories'][()]],\n"
          "        'attrs': {k: (v if isinstance(v, str) else int(v)) for k, v in "
          "f.attrs.items()},\n"
          "    }))\n",
      dir);
  nlohmann::json read;
  ASSERT_NO_THROW(read = nlohmann::json::parse(out)) << out;
  EXPECT_EQ(read["user_embeddings"],
            nlohmann::json::parse("[[0.5, -1.0, 2.0], [3.25, 0.0, -0.125]]"));
  EXPECT_EQ(read["item_embeddings"][2], nlohmann::json::parse("[7.0, 8.0, 9.0]"));
  EXPECT_EQ(read["user_dtype"], "float32");
  EXPECT_EQ(read["chunked"], true);
  EXPECT_EQ(read["user_ids"], nlohmann::json::parse("[101, 205]"));
  EXPECT_EQ(read["item_ids"], nlohmann::json::parse("[7, 70, 700]"));
  EXPECT_EQ(read["item_categories"], nlohmann::json::parse("[[4, 1], [], [9]]"));
  EXPECT_EQ(read["attrs"]["format"], "shiftrec-embeddings");
  EXPECT_EQ(read["attrs"]["format_version"], 2);
  EXPECT_EQ(read["attrs"]["model"], "sasrec");
  EXPECT_EQ(read["attrs"]["epoch"], "7");
}

// Text ids (a source with ids like "A2SUAM1J3GNN3B") and category names come back as str, in
// row order, with /item_categories indexing /category_names.
TEST(EmbeddingExport, TextIdsAndCategoryNamesComeBackAsStrings) {
  testing::TempDir dir;
  EmbeddingExport data;
  data.users = {{1, 2}, 2, 1, OriginalIds::from_texts({"A2SUAM1J3GNN3B", "007"})};
  data.items = {{1, 2, 3}, 3, 1, OriginalIds::from_texts({"N1", "Café", "x-y"})};
  data.category_offsets = {0, 1, 3, 3};
  data.category_ids = {1, 0, 1};
  data.category_names = {"Books, old", "Crème brûlée"};
  write_embeddings_hdf5(dir.file("e.h5"), data);
  const std::string out = run_python(
      "import json, h5py\n"
      "with h5py.File('" +
          dir.file("e.h5") +
          "', 'r') as f:\n"
          "    names = f['category_names'].asstr()[()].tolist()\n"
          "    print(json.dumps({\n"
          "        'user_ids': f['user_ids'].asstr()[()].tolist(),\n"
          "        'item_ids': f['item_ids'].asstr()[()].tolist(),\n"
          "        'item_categories': [[names[c] for c in row] for row in "
          "f['item_categories'][()]],\n"
          "    }))\n",
      dir);
  nlohmann::json read;
  ASSERT_NO_THROW(read = nlohmann::json::parse(out)) << out;
  EXPECT_EQ(read["user_ids"], nlohmann::json::parse(R"(["A2SUAM1J3GNN3B", "007"])"));
  EXPECT_EQ(read["item_ids"], nlohmann::json::parse(R"(["N1", "Café", "x-y"])"));
  EXPECT_EQ(read["item_categories"],
            nlohmann::json::parse(R"([["Crème brûlée"], ["Books, old", "Crème brûlée"], []])"));
}

}  // namespace
}  // namespace shiftrec
