// Which dispatcher serves the next request, and which requests each dispatcher still
// serves. A phase change (preboot → starting → serving) swaps the dispatcher and waits
// until the previous one's requests are done; it neither stops accepting nor closes a
// connection, so nothing a client does (a keep-alive probe polling every millisecond, new
// connections arriving mid-change) can hold it up or be refused by it.
//
// A request takes a ticket once its head is read and keeps it until its handler is done:
// the dispatcher, its routes and the plugin code behind them stay in use exactly that
// long. Internal to core/http.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <utility>

#include "core/http/connection_registry.hpp"

namespace orrery::server {

class Dispatcher;

class DispatcherSlot {
  struct InFlight {
    const Dispatcher* dispatcher;
    ConnectionRegistry::Entry connection;
  };

 public:
  class Ticket {
   public:
    Ticket() = default;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept {
      if (this != &other) {
        release();
        slot_ = std::exchange(other.slot_, nullptr);
        entry_ = other.entry_;
        dispatcher_ = std::move(other.dispatcher_);
      }
      return *this;
    }
    ~Ticket() { release(); }

    const Dispatcher& dispatcher() const { return *dispatcher_; }
    // The request is done with its dispatcher (its handler has returned).
    void release() {
      if (!slot_) return;
      std::exchange(slot_, nullptr)->leave(entry_);
      dispatcher_.reset();
    }

   private:
    friend class DispatcherSlot;
    DispatcherSlot* slot_ = nullptr;
    std::list<InFlight>::iterator entry_;
    std::shared_ptr<const Dispatcher> dispatcher_;
  };

  // Requests from now on go to `next`; returns the dispatcher they went to before.
  std::shared_ptr<const Dispatcher> swap(std::shared_ptr<const Dispatcher> next) {
    std::lock_guard lock(mutex_);
    return std::exchange(current_, std::move(next));
  }

  // A ticket for the current dispatcher, held on behalf of `connection` (so that a
  // hand-over that runs out of time can cut it). The slot must outlive the ticket.
  Ticket enter(ConnectionRegistry::Entry connection) {
    Ticket ticket;
    std::lock_guard lock(mutex_);
    ticket.slot_ = this;
    ticket.dispatcher_ = current_;
    ticket.entry_ = inFlight_.insert(inFlight_.end(), InFlight{current_.get(), std::move(connection)});
    return ticket;
  }

  // True once no request holds a ticket of `previous`; false if `deadline` came first.
  bool waitDone(const Dispatcher* previous, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] { return count(previous) == 0; });
  }

  // Closes the connections of the requests still holding a ticket of `previous`; returns
  // how many there were.
  std::size_t cut(const Dispatcher* previous) {
    std::list<ConnectionRegistry::Entry> connections;
    {
      std::lock_guard lock(mutex_);
      for (const auto& entry : inFlight_) {
        if (entry.dispatcher == previous && entry.connection) connections.push_back(entry.connection);
      }
    }
    for (const auto& connection : connections) (*connection)(true);
    return connections.size();
  }

 private:
  void leave(std::list<InFlight>::iterator entry) {
    {
      std::lock_guard lock(mutex_);
      inFlight_.erase(entry);
    }
    changed_.notify_all();
  }

  std::size_t count(const Dispatcher* dispatcher) const {
    std::size_t n = 0;
    for (const auto& entry : inFlight_) n += entry.dispatcher == dispatcher ? 1 : 0;
    return n;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<const Dispatcher> current_;
  std::list<InFlight> inFlight_;
};

}  // namespace orrery::server
