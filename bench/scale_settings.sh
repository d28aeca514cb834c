# The scale benchmark's training settings (issue 18, P4), sourced by bench/scale_end_to_end.sh
# and bench/lightgcn_batch_rate.sh so that both time the same runs: synthetic users x 100 k
# items (1,000 categories, the quickstart's generator otherwise), one epoch, no planted change
# points in the evaluation.
#   scale_options MODEL   sets the array `options` to `shiftrec train` options (no users, no
#                         --out) for sasrec, lightgcn, lightgcn_sampled or lightgcn_sparse
scale_options() {
  options=(--config experiments/configs/quickstart.toml --set data.synthetic.items=100000
           --set eval.change_points=false --set data.synthetic.categories=1000
           --set train.epochs=1)
  case $1 in
    sasrec)
      options+=(--set model.d=50 --set model.dropout=0.5 --set 'loss.name="bce"'
                --set loss.negatives=1) ;;
    lightgcn | lightgcn_sampled | lightgcn_sparse)
      options+=(--set 'model={name = "lightgcn", d = 64, layers = 3}' --set 'loss.name="bpr"'
                --set train.batch_size=1024 --set train.learning_rate=0.005)
      case $1 in
        lightgcn_sampled) options+=(--set 'model.sampled_fanouts=[5, 5, 5]') ;;
        lightgcn_sparse) options+=(--set 'model.sampled_fanouts=[5, 5, 5]'
                                   --set model.sparse_gradients=true) ;;
      esac ;;
    *) echo "scale_options: no model $1 (sasrec, lightgcn, lightgcn_sampled, lightgcn_sparse)" >&2
       return 1 ;;
  esac
}
