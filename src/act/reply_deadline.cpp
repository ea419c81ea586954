#include "act/reply_deadline.h"

#include <algorithm>

namespace unitoomd {

Duration ReplyDeadline::shortened() const { return std::min(configured_, std::max(kShortestDeadline, configured_ / 4)); }

Duration ReplyDeadline::at(TimePoint now, bool machineOutOfMemory) const {
  if (machineOutOfMemory) return shortened();
  if (missedAt_ && now - *missedAt_ < kSlowFor) return shortened();
  return configured_;
}

void ReplyDeadline::answered(TimePoint sent, TimePoint answered) {
  // An answer slower than the shorter wait (a late one, after a miss) says
  // the manager is still slow; only a quick one says it is back.
  if (answered - sent <= shortened()) missedAt_.reset();
}

void ReplyDeadline::missed(TimePoint now) { missedAt_ = now; }

}  // namespace unitoomd
