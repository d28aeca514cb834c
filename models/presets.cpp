// The composed presets, as compositions of parts (models/composed_model.h), reading the flat
// [model] keys they always read.
//
// The shift study's selected composition (experiments/shift_study/README.md):
//   category_shift_sasrec SASRec over the `categories` item encoder (ID row + the mean of the
//                         item's category rows), SHIFT positions' next-item loss weighted
//                         `weight` times (the `shift_weight` head; 2.0, selected on validation
//                         on Beauty and the synthetic data). Needs item categories.
//
// Graph–sequence hybrids: SASRec whose item table comes from a GNN over a training graph,
// trained end to end.
//   graph_sasrec          the items' LightGCN-propagated embeddings over the user–item graph
//   fusion_sasrec         a per-item gate between ID and propagated embeddings (`fusion`)
//   session_graph_sasrec  GC-SAN style: propagation over the item transition graph, gated
//   shift_sasrec          fusion_sasrec plus the `shift` head, trained jointly
// Ablation switches, on top of SASRec's d, blocks, heads, dropout, max_length, time_gaps:
//   graph = "bipartite" | "transition",  graph_layers = K (0 = no propagation),
//   encoder = "lightgcn" | "ngcf" (message_dropout),  fusion,  transition_window,
//   shift_head,  shift_loss_weight,  shift_mixture,  shift_move_head,  shift_move_weight,
//   shift_graph,  shift_graph_window,  shift_recurrent_detector, ...
//   (models/shift_head_part.h without the prefix)
// With graph_layers = 0 and fusion = false no parameter is added and the model computes
// exactly what SASRec computes at the same seed (tested).
//
// General CF: `lightgcn` (He et al., SIGIR 2020) and `ngcf` (Wang et al., SIGIR 2019): users
// and items are nodes of the training bipartite graph, the sequence part is `none` (a user's
// state is their propagated embedding), trained on (user, item) pairs — BPR in the papers.
//   [model]
//   name = "lightgcn"     # or "ngcf" (message_dropout = 0.1)
//   d = 64
//   layers = 3
//   sampled_fanouts = []  # e.g. [10, 10, 10]: neighbour-sampled training
//   embedding_l2 = 0.0    # the LightGCN paper's 1e-4 (NGCF's 1e-5)
#include "core/config.h"
#include "datasets/interactions.h"
#include "models/composed_model.h"
#include "models/fusion_item_encoder.h"
#include "models/graph_item_encoder.h"
#include "models/sasrec.h"
#include "models/shift_head_part.h"

namespace shiftrec {
namespace {

struct HybridDefaults {
  std::string graph = "bipartite";
  int64_t layers = 2;
  bool fusion = false;
  bool shift_head = false;
};

std::shared_ptr<Recommender> make_hybrid(ConfigSection s, const ModelContext& c,
                                         const HybridDefaults& defaults) {
  ModelAssembly a = assembly_for(c);
  a.d = s.get_int("d", 50, 1, 1 << 16, "embedding and hidden size");
  const SASRecOptions base = sasrec_options_from_config(s, c.n_items, a.d);
  GraphEncoderOptions graph;
  graph.graph = defaults.graph;
  graph.layers = defaults.layers;
  GraphEncoderKeys keys;
  keys.layers = "graph_layers";
  keys.kind = "encoder";
  keys.sampling = false;
  graph = read_graph_encoder_options(s, graph, keys);
  const bool fusion =
      s.get_bool("fusion", defaults.fusion, "gate ID and graph embeddings per item");
  const bool shift = s.get_bool("shift_head", defaults.shift_head,
                                "predict interest shifts from the user state, trained jointly");
  const ShiftHeadOptions head = read_shift_head_options(s, "shift_");
  if (head.mixture && !shift) s.fail("shift_mixture", "needs shift_head = true");
  if (head.move_head && !shift) s.fail("shift_move_head", "needs shift_head = true");
  if (shift && (c.data == nullptr || !c.data->has_categories())) {
    s.fail("shift_head", "needs item categories, and this dataset has none");
  }
  a.sequence = [base](const SequenceEncoderContext&) {
    return std::make_shared<SASRecEncoder>(base);
  };
  a.item_encoder_name = fusion ? "fusion" : graph.kind;
  a.item_encoder = [graph, fusion](const ItemEncoderContext& context) {
    return fusion
               ? std::shared_ptr<ItemEncoder>(std::make_shared<FusionItemEncoder>(graph, context))
               : std::make_shared<GraphItemEncoder>(graph, context);
  };
  if (shift) {
    a.heads.emplace_back("shift", [head](const HeadContext& context) {
      return std::make_shared<ShiftHeadPart>(head, context);
    });
  }
  return assemble(a);
}

std::shared_ptr<Recommender> make_graph_cf(ConfigSection s, const ModelContext& c,
                                           const std::string& kind) {
  if (s.has("history_window")) {
    s.fail("history_window", "moved: the window of the shift labels is eval.shift_window");
  }
  ModelAssembly a = assembly_for(c);
  a.item_encoder_name = kind;
  // As in each paper's code: LightGCN draws N(0, 0.1), NGCF Xavier-uniform.
  a.id_init = kind == "lightgcn" ? "normal" : "xavier_uniform";
  a.d = s.get_int("d", 64, 1, 1 << 16, "embedding size");
  GraphEncoderOptions graph;
  graph.kind = kind;
  graph.layers = 3;
  GraphEncoderKeys keys;
  keys.graph = false;
  const GraphEncoderOptions o = read_graph_encoder_options(s, graph, keys);
  const SequenceEncoderEntry& none = sequence_encoder_registry().get("none");
  a.sequence = [none, s](const SequenceEncoderContext& context) { return none.make(s, context); };
  a.item_encoder = [o](const ItemEncoderContext& context) {
    return std::make_shared<GraphItemEncoder>(o, context);
  };
  return assemble(a);
}

}  // namespace

SHIFTREC_REGISTER_MODEL("graph_sasrec",
                        "SASRec whose item inputs are LightGCN-propagated over the user-item "
                        "graph, trained end to end",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"bipartite", 2, false, false});
                        });
SHIFTREC_REGISTER_MODEL("fusion_sasrec",
                        "SASRec with a per-item gate fusing ID and graph-propagated embeddings",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"bipartite", 2, true, false});
                        });
SHIFTREC_REGISTER_MODEL("shift_sasrec",
                        "fusion_sasrec with a shift head on the user state, trained jointly; "
                        "its probability is the model's shift score",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"bipartite", 2, true, true});
                        });
SHIFTREC_REGISTER_MODEL("session_graph_sasrec",
                        "GC-SAN style: SASRec over item embeddings propagated on the item "
                        "transition graph, gated with the ID embeddings",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"transition", 1, true, false});
                        });
SHIFTREC_REGISTER_MODEL(
    "category_shift_sasrec",
    "SASRec over ID + category embeddings with SHIFT positions weighted in "
    "the loss (the shift study's composition)",
    [](ConfigSection s, const ModelContext& c) {
      return compose_preset(s, c, ModelParts{"categories", "sasrec", {"shift_weight"}, 50});
    });
SHIFTREC_REGISTER_MODEL("lightgcn",
                        "LightGCN (He et al. 2020): ID embeddings propagated over the training "
                        "bipartite graph, layer mean (general CF, BPR)",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_graph_cf(s, c, "lightgcn");
                        });
SHIFTREC_REGISTER_MODEL("ngcf",
                        "NGCF (Wang et al. 2019): neural graph collaborative filtering with "
                        "feature transforms and interaction terms (general CF, BPR)",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_graph_cf(s, c, "ngcf");
                        });

}  // namespace shiftrec
