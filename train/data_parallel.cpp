#include "train/data_parallel.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include <ATen/ATen.h>

#ifdef SHIFTREC_WITH_GLOO
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include "core/error.h"
#include "core/log.h"
#include "core/text.h"

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
namespace {

using Clock = std::chrono::steady_clock;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string heartbeat_key(int64_t rank) { return "shiftrec/heartbeat/" + std::to_string(rank); }

std::vector<uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

// The process group, and the heartbeat that lets a waiting or failed rank say which rank it is
// waiting for or which one stopped: every second each rank posts "<collectives entered>
// <unix ms>" under its key in the group's store, over a connection of its own.
struct DataParallel::Group {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  c10::intrusive_ptr<c10d::TCPStore> side;  // heartbeats and queries (never Gloo's connection)
  std::mutex side_mutex;
  std::thread heartbeat;
  std::mutex stop_mutex;
  std::condition_variable stop_signal;
  bool stopping = false;
  std::atomic<int64_t> collectives{0};

  ~Group() {
    {
      std::lock_guard<std::mutex> lock(stop_mutex);
      stopping = true;
    }
    stop_signal.notify_all();
    if (heartbeat.joinable()) heartbeat.join();
  }

  void beat(int64_t rank) {
    std::lock_guard<std::mutex> lock(side_mutex);
    side->set(heartbeat_key(rank),
              bytes_of(std::to_string(collectives.load()) + " " + std::to_string(unix_ms())));
  }

  void start_heartbeat(int64_t rank) {
    beat(rank);
    heartbeat = std::thread([this, rank] {
      std::unique_lock<std::mutex> lock(stop_mutex);
      while (!stop_signal.wait_for(lock, std::chrono::seconds(1), [this] { return stopping; })) {
        try {
          beat(rank);
        } catch (const std::exception&) {  // the store's host is gone: a collective will say so
          return;
        }
      }
    });
  }

  // Every other rank's last heartbeat: {collectives entered, seconds since}; -1 seconds when
  // it never posted one. Throws c10::Error when the store cannot be reached.
  std::vector<std::pair<int64_t, double>> others(int64_t rank, int64_t world_size) {
    std::vector<std::pair<int64_t, double>> out(static_cast<size_t>(world_size), {0, -1.0});
    std::lock_guard<std::mutex> lock(side_mutex);
    for (int64_t r = 0; r < world_size; ++r) {
      if (r == rank || !side->check({heartbeat_key(r)})) continue;
      const std::vector<uint8_t> value = side->get(heartbeat_key(r));
      std::istringstream in(std::string(value.begin(), value.end()));
      int64_t entered = 0, when = 0;
      in >> entered >> when;
      out[static_cast<size_t>(r)] = {entered, static_cast<double>(unix_ms() - when) / 1000.0};
    }
    return out;
  }
};
#else
struct DataParallel::Group {};
#endif

DataParallel::DataParallel(int64_t rank, int64_t world_size, const std::string& master_addr,
                           int64_t master_port, std::chrono::seconds timeout)
    : rank_(rank), world_size_(world_size), timeout_(timeout) {
#ifdef SHIFTREC_WITH_GLOO
  group_ = std::make_unique<Group>();
  const std::string where = master_addr + ":" + std::to_string(master_port);
  const std::string who = "rank " + std::to_string(rank) + " of " + std::to_string(world_size);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(master_port);
    store_options.isServer = rank == 0;
    store_options.numWorkers = static_cast<size_t>(world_size);
    store_options.waitWorkers = false;  // waited for below, with a log line and a limit
    store_options.timeout = timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(master_addr, store_options);
    c10d::TCPStoreOptions side_options = store_options;
    side_options.isServer = false;
    group_->side = c10::make_intrusive<c10d::TCPStore>(master_addr, side_options);
    // Join: count in, then wait for everyone, saying whom we wait for every 10 s.
    group_->store->add("shiftrec/joined", 1);
    const auto start = Clock::now();
    auto next_report = start + std::chrono::seconds(10);
    for (int64_t joined; (joined = group_->store->add("shiftrec/joined", 0)) < world_size;) {
      const auto now = Clock::now();
      const std::string waiting = std::to_string(joined) + " of " + std::to_string(world_size) +
                                  " ranks have joined " + where;
      if (now - start > timeout) {
        throw UserError("data-parallel: " + who + " gave up after " +
                        std::to_string(timeout.count()) +
                        " s (train.collective_timeout) waiting for the group: " + waiting);
      }
      if (now > next_report) {
        log_warn("data-parallel: " + who + " waiting: " + waiting);
        next_report += std::chrono::seconds(10);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto options = c10d::ProcessGroupGloo::Options::create(timeout + std::chrono::seconds(60));
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(master_addr));
    group_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank, world_size, options);
    group_->start_heartbeat(rank);
  } catch (const c10::Error& e) {
    throw UserError("cannot join the data-parallel group at " + where + " as " + who + ": " +
                    excerpt(e.what_without_backtrace(), 300));
  }
  log_info("data-parallel: " + who + " joined " + where);
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

std::unique_ptr<DataParallel> DataParallel::from_environment(std::chrono::seconds timeout) {
  const int64_t world_size = requested_world_size();
  if (world_size == 1) return nullptr;
  const int64_t rank = integer_from_environment("RANK", -1, 0, world_size - 1);
  const int64_t port = integer_from_environment("MASTER_PORT", 29500, 1, 65535);
  const char* addr = std::getenv("MASTER_ADDR");
  return std::make_unique<DataParallel>(
      rank, world_size, addr != nullptr && *addr != '\0' ? addr : "127.0.0.1", port, timeout);
}

#ifdef SHIFTREC_WITH_GLOO
namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// "rank 1 (stopped: not heard from for 4.2 s)" for every other rank that looks stopped, or
// that is behind `entered` collectives when `entered` >= 0; "" when none. Reading the store
// fails when rank 0, its host, is gone: that is the answer then.
template <typename Group>
std::string ranks_described(Group& group, int64_t rank, int64_t world_size, int64_t entered,
                            double stale_after) {
  std::vector<std::pair<int64_t, double>> beats;
  try {
    beats = group.others(rank, world_size);
  } catch (const std::exception&) {
    return "rank 0 (it hosts the group's store, which no longer answers: it stopped)";
  }
  std::string out;
  for (int64_t r = 0; r < world_size; ++r) {
    const auto [their_entered, age] = beats[static_cast<size_t>(r)];
    if (r == rank) continue;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", age);
    std::string state;
    if (age < 0) {
      state = "never heard from";
    } else if (age > stale_after) {
      state = "stopped: not heard from for " + std::string(seconds) + " s";
    } else if (entered >= 0 && their_entered < entered) {
      state = "alive " + std::string(seconds) + " s ago, " +
              std::to_string(entered - their_entered) + " collective(s) behind";
    } else {
      continue;
    }
    out += (out.empty() ? "" : ", ") + ("rank " + std::to_string(r) + " (" + state + ")");
  }
  return out;
}

}  // namespace

// Waits for a collective: a warning every 10 s names the ranks it waits for; after the timeout
// it gives up with an error naming them; a failed collective names the rank that stopped.
template <typename Group>
void wait_for(Group& group, int64_t rank, int64_t world_size, std::chrono::seconds timeout,
              const c10::intrusive_ptr<c10d::Work>& work, const std::string& what) {
  const std::string who =
      "data-parallel: rank " + std::to_string(rank) + " of " + std::to_string(world_size);
  const int64_t entered = ++group.collectives;
  const auto start = Clock::now();
  auto next_report = start + std::chrono::seconds(10);
  while (true) {
    try {
      work->wait(std::chrono::milliseconds(1000));
      return;
    } catch (const std::exception& e) {  // c10::Error, or Gloo's own (an IoException)
      if (work->isCompleted()) {         // it failed: a peer went away. Whose heartbeat stopped?
        std::string stopped;
        for (int attempt = 0; attempt < 40 && stopped.empty(); ++attempt) {
          stopped = ranks_described(group, rank, world_size, -1, 2.5);
          if (stopped.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        throw UserError(who + ": " + what + " failed: " +
                        (stopped.empty() ? std::string("another rank stopped") : stopped) + " (" +
                        excerpt(first_line(e.what()), 160) + ")");
      }
    }
    const auto now = Clock::now();
    const std::string waiting = ranks_described(group, rank, world_size, entered, 2.5);
    if (now - start > timeout) {
      throw UserError(who + " gave up after " + std::to_string(timeout.count()) +
                      " s (train.collective_timeout) at " + what + ", waiting for " +
                      (waiting.empty() ? std::string("the other ranks") : waiting));
    }
    if (now > next_report) {
      log_warn(
          who + " has waited " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - start).count()) +
          " s at " + what + " for " + (waiting.empty() ? std::string("the other ranks") : waiting));
      next_report += std::chrono::seconds(10);
    }
  }
}
#endif

void DataParallel::average_gradients(const std::vector<at::Tensor>& parameters) {
#ifdef SHIFTREC_WITH_GLOO
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters) {
    if (!p.requires_grad()) continue;
    if (p.grad().defined() && p.grad().is_sparse()) {
      throw UserError(
          "model.sparse_gradients does not combine with data-parallel ranks "
          "(WORLD_SIZE > 1): they average dense gradients; train with one rank");
    }
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  std::vector<at::Tensor> flat;
  for (const auto& g : grads) flat.push_back(g.reshape({-1}));
  std::vector<at::Tensor> buffer = {at::cat(flat).to(at::kCPU)};  // Gloo reduces CPU memory
  wait_for(*group_, rank_, world_size_, timeout_, group_->group->allreduce(buffer),
           "averaging gradients");
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
  wait_for(*group_, rank_, world_size_, timeout_, group_->group->allreduce(buffer), "a sum");
#endif
  return buffer[0];
}

at::Tensor DataParallel::from_rank0(const at::Tensor& values) {
  std::vector<at::Tensor> buffer = {values.to(at::kCPU, at::kDouble).clone()};
#ifdef SHIFTREC_WITH_GLOO
  c10d::BroadcastOptions options;
  options.rootRank = 0;
  wait_for(*group_, rank_, world_size_, timeout_, group_->group->broadcast(buffer, options),
           "a broadcast from rank 0");
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
  if (size > 0) {
    wait_for(*group_, rank_, world_size_, timeout_, group_->group->broadcast(buffer, options),
             "bytes from rank 0");
  }
#endif
  return std::string(static_cast<const char*>(buffer[0].data_ptr()), static_cast<size_t>(size));
}

std::vector<at::Tensor> DataParallel::gather_from_all(const at::Tensor& state) {
  std::vector<at::Tensor> input = {state.to(at::kCPU).contiguous()};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int64_t r = 0; r < world_size_; ++r) output[0].push_back(at::empty_like(input[0]));
#ifdef SHIFTREC_WITH_GLOO
  wait_for(*group_, rank_, world_size_, timeout_, group_->group->allgather(output, input),
           "gathering the ranks' states");
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
