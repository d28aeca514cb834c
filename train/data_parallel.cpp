#include "train/data_parallel.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include <ATen/ATen.h>

#ifdef SHIFTREC_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include "core/error.h"
#include "core/log.h"

namespace shiftrec {
namespace {

// A collective waits this long for the slowest rank (rank 0 validating, a large epoch plan).
constexpr auto kCollectiveTimeout = std::chrono::minutes(30);

int64_t integer_from_environment(const char* name, int64_t fallback, int64_t min_value,
                                 int64_t max_value) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    if (fallback < min_value)
      throw UserError(std::string(name) + " is not set (data-parallel run)");
    return fallback;
  }
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || value < min_value || value > max_value) {
    throw UserError(std::string(name) + "=" + text + ": expected an integer in [" +
                    std::to_string(min_value) + ", " + std::to_string(max_value) + "]");
  }
  return value;
}

}  // namespace

#ifdef SHIFTREC_WITH_GLOO
struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};
#else
struct DataParallel::Group {};
#endif

DataParallel::DataParallel(int64_t rank, int64_t world_size, const std::string& master_addr,
                           int64_t master_port)
    : rank_(rank), world_size_(world_size) {
#ifdef SHIFTREC_WITH_GLOO
  group_ = std::make_unique<Group>();
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(master_port);
    store_options.isServer = rank == 0;
    store_options.numWorkers = static_cast<size_t>(world_size);
    store_options.waitWorkers = true;
    store_options.timeout = kCollectiveTimeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(master_addr, store_options);
    auto options = c10d::ProcessGroupGloo::Options::create(kCollectiveTimeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(master_addr));
    group_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank, world_size, options);
  } catch (const c10::Error& e) {
    throw UserError("cannot join the data-parallel group at " + master_addr + ":" +
                    std::to_string(master_port) + " as rank " + std::to_string(rank) + " of " +
                    std::to_string(world_size) + ": " + e.what_without_backtrace());
  }
  log_info("data-parallel: rank " + std::to_string(rank) + " of " + std::to_string(world_size) +
           " joined " + master_addr + ":" + std::to_string(master_port));
#else
  (void)master_addr;
  (void)master_port;
  throw UserError("WORLD_SIZE=" + std::to_string(world_size) +
                  ": this shiftrec was built without process groups (no Gloo headers found); "
                  "install libgloo-dev and rebuild, or unset WORLD_SIZE");
#endif
}

DataParallel::~DataParallel() = default;

int64_t DataParallel::requested_world_size() {
  return integer_from_environment("WORLD_SIZE", 1, 1, 1 << 16);
}

std::unique_ptr<DataParallel> DataParallel::from_environment() {
  const int64_t world_size = requested_world_size();
  if (world_size == 1) return nullptr;
  const int64_t rank = integer_from_environment("RANK", -1, 0, world_size - 1);
  const int64_t port = integer_from_environment("MASTER_PORT", 29500, 1, 65535);
  const char* addr = std::getenv("MASTER_ADDR");
  return std::make_unique<DataParallel>(
      rank, world_size, addr != nullptr && *addr != '\0' ? addr : "127.0.0.1", port);
}

#ifdef SHIFTREC_WITH_GLOO
namespace {

void wait(const c10::intrusive_ptr<c10d::Work>& work) {
  try {
    work->wait();
  } catch (const c10::Error& e) {
    throw UserError(std::string("data-parallel collective failed (did another rank stop?): ") +
                    e.what_without_backtrace());
  }
}

}  // namespace
#endif

void DataParallel::average_gradients(const std::vector<at::Tensor>& parameters) {
#ifdef SHIFTREC_WITH_GLOO
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  std::vector<at::Tensor> flat;
  for (const auto& g : grads) flat.push_back(g.reshape({-1}));
  std::vector<at::Tensor> buffer = {at::cat(flat).to(at::kCPU)};  // Gloo reduces CPU memory
  wait(group_->group->allreduce(buffer));
  buffer[0].div_(static_cast<double>(world_size_));
  int64_t offset = 0;
  for (auto& g : grads) {
    g.copy_(buffer[0].narrow(0, offset, g.numel()).view(g.sizes()));
    offset += g.numel();
  }
#else
  (void)parameters;
#endif
}

at::Tensor DataParallel::sum(const at::Tensor& values) {
  std::vector<at::Tensor> buffer = {values.to(at::kCPU, at::kDouble).clone()};
#ifdef SHIFTREC_WITH_GLOO
  wait(group_->group->allreduce(buffer));
#endif
  return buffer[0];
}

at::Tensor DataParallel::from_rank0(const at::Tensor& values) {
  std::vector<at::Tensor> buffer = {values.to(at::kCPU, at::kDouble).clone()};
#ifdef SHIFTREC_WITH_GLOO
  c10d::BroadcastOptions options;
  options.rootRank = 0;
  wait(group_->group->broadcast(buffer, options));
#endif
  return buffer[0];
}

std::string DataParallel::bytes_from_rank0(const std::string& bytes) {
  const auto size = static_cast<int64_t>(
      from_rank0(at::full({1}, static_cast<double>(bytes.size()), at::kDouble)).item<double>());
  std::vector<at::Tensor> buffer = {at::empty({size}, at::kByte)};
  if (rank_ == 0) std::memcpy(buffer[0].data_ptr(), bytes.data(), bytes.size());
#ifdef SHIFTREC_WITH_GLOO
  c10d::BroadcastOptions options;
  options.rootRank = 0;
  if (size > 0) wait(group_->group->broadcast(buffer, options));
#endif
  return std::string(static_cast<const char*>(buffer[0].data_ptr()), static_cast<size_t>(size));
}

std::vector<at::Tensor> DataParallel::gather_from_all(const at::Tensor& state) {
  std::vector<at::Tensor> input = {state.to(at::kCPU).contiguous()};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int64_t r = 0; r < world_size_; ++r) output[0].push_back(at::empty_like(input[0]));
#ifdef SHIFTREC_WITH_GLOO
  wait(group_->group->allgather(output, input));
#endif
  return output[0];
}

void DataParallel::check_in_sync(const std::vector<at::Tensor>& parameters) {
  std::vector<at::Tensor> checksums;
  for (const auto& p : parameters) {
    auto d = p.detach().to(at::kCPU, at::kDouble);
    checksums.push_back(at::stack({d.sum(), d.pow(2).sum()}));
  }
  if (checksums.empty()) return;
  const auto mine = at::cat(checksums);
  const bool differs = !at::equal(mine, from_rank0(mine));
  const double ranks_differing =
      sum(at::full({1}, differs ? 1.0 : 0.0, at::kDouble)).item<double>();
  if (ranks_differing > 0) {
    throw InternalError("data-parallel: the parameters of " +
                        std::to_string(static_cast<int64_t>(ranks_differing)) +
                        " rank(s) differ from rank 0's after training");
  }
}

}  // namespace shiftrec
