// Cancellation tokens: how the host tells long-running plugin work to stop.
//
// A CancellationSource owns the "cancel" button; CancellationToken is the cheap copyable
// view handed to work. Every plugin context carries a stop token that the host cancels
// when the plugin is being stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace orrery {

namespace detail {
struct CancelState {
  std::mutex mutex;
  bool cancelled = false;
  std::uint64_t nextId = 0;
  std::map<std::uint64_t, std::function<void()>> callbacks;
};
}  // namespace detail

// Keeps a cancellation callback registered; unregisters it on destruction.
class CancellationRegistration {
 public:
  CancellationRegistration() = default;
  CancellationRegistration(std::weak_ptr<detail::CancelState> state, std::uint64_t id)
      : state_(std::move(state)), id_(id) {}
  CancellationRegistration(CancellationRegistration&& other) noexcept
      : state_(std::move(other.state_)), id_(other.id_) {
    other.state_.reset();
  }
  CancellationRegistration& operator=(CancellationRegistration&& other) noexcept {
    if (this != &other) {
      reset();
      state_ = std::move(other.state_);
      id_ = other.id_;
      other.state_.reset();
    }
    return *this;
  }
  CancellationRegistration(const CancellationRegistration&) = delete;
  CancellationRegistration& operator=(const CancellationRegistration&) = delete;
  ~CancellationRegistration() { reset(); }

  void reset() {
    if (auto state = state_.lock()) {
      std::lock_guard lock(state->mutex);
      state->callbacks.erase(id_);
    }
    state_.reset();
  }

 private:
  std::weak_ptr<detail::CancelState> state_;
  std::uint64_t id_ = 0;
};

class CancellationToken {
 public:
  // A token that is never cancelled.
  CancellationToken() = default;
  explicit CancellationToken(std::shared_ptr<detail::CancelState> state) : state_(std::move(state)) {}

  bool cancelled() const {
    if (!state_) return false;
    std::lock_guard lock(state_->mutex);
    return state_->cancelled;
  }

  // Runs `callback` once when cancellation is requested, on the cancelling thread; at
  // once on this thread if it already was. The callback must not block.
  [[nodiscard]] CancellationRegistration onCancel(std::function<void()> callback) const {
    if (!state_) return {};
    std::unique_lock lock(state_->mutex);
    if (state_->cancelled) {
      lock.unlock();
      callback();
      return {};
    }
    const auto id = state_->nextId++;
    state_->callbacks.emplace(id, std::move(callback));
    return CancellationRegistration(state_, id);
  }

 private:
  std::shared_ptr<detail::CancelState> state_;
};

class CancellationSource {
 public:
  CancellationSource() : state_(std::make_shared<detail::CancelState>()) {}

  CancellationToken token() const { return CancellationToken(state_); }
  bool cancelled() const { return token().cancelled(); }

  // Idempotent. Callbacks run outside the lock so they may touch the token again.
  void cancel() {
    std::map<std::uint64_t, std::function<void()>> callbacks;
    {
      std::lock_guard lock(state_->mutex);
      if (state_->cancelled) return;
      state_->cancelled = true;
      callbacks.swap(state_->callbacks);
    }
    for (auto& [id, callback] : callbacks) callback();
  }

 private:
  std::shared_ptr<detail::CancelState> state_;
};

}  // namespace orrery
