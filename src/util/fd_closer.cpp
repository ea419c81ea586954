#include "util/fd_closer.h"

#include <unistd.h>

namespace unitoomd {

FdCloser::FdCloser(size_t maxThreads, CloseFn closeFn)
    : closeFn_(closeFn ? std::move(closeFn) : [](int fd) { ::close(fd); }),
      workers_(maxThreads, [this](int& fd) { closeFn_(fd); }) {}

FdCloser::~FdCloser() { workers_.wait(); }

void FdCloser::close(UniqueFd fd) {
  if (!fd) return;
  // no thread at all: closed here rather than never
  for (int unserved : workers_.post({fd.release()})) closeFn_(unserved);
}

}  // namespace unitoomd
