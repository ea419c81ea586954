/* pressure-gen: real memory stall on demand, for tests, the demo and benchmarks.
 *
 * What PSI counts as memory stall is direct reclaim and the refault of
 * recently evicted pages. Run under a small memory limit (cgroup v2
 * memory.max, or a v1 memory cgroup on hybrid hosts), this program keeps
 * re-reading a hot set of file pages while streaming random reads over a
 * larger file, so the hot set is evicted and refaulted over and over
 * (--hot-mib N); by default (--hot-mib 0) it sweeps the whole file
 * sequentially, which thrashes harder.
 *
 *   pressure-gen --file PATH [--size-mib 256] [--hot-mib 0] [--workers 1]
 *                [--seconds 0 (forever)] [--grow-anon-mib-per-sec 0]
 *                [--await-memory-cgroup SECONDS] [--spin] [--started-file PATH]
 *                [--grow-half-random]
 *
 * Knobs: more workers and a hot set larger than the limit give more stall;
 * --grow-anon-mib-per-sec instead grows anonymous memory slowly, for cases
 * that need memory use rather than stall; --spin only burns CPU (a busy but
 * healthy workload). --grow-half-random fills each grown page half with
 * pseudo-random bytes, half with zeros: zram stores same-filled pages for
 * nothing and compresses this about 2:1, so the growth really fills it. --await-memory-cgroup waits (up to SECONDS) until
 * someone moves the process into another v1 memory cgroup before it starts:
 * a lab host whose cgroup2 has no memory controller limits a unit that way,
 * and only charges made after the move count. --started-file writes the
 * CLOCK_MONOTONIC microseconds at which the load began (for timelines).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ensure_file(const char *path, size_t size) {
  struct stat st;
  if (stat(path, &st) == 0 && (size_t)st.st_size >= size) return 0;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  char *buf = malloc(1 << 20);
  if (!buf) return -1;
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t off = 0; off < size; off += 1 << 20) {
    for (size_t i = 0; i < (1 << 20); i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy(buf + i, &x, 8);
    }
    if (write(fd, buf, 1 << 20) != 1 << 20) {
      free(buf);
      close(fd);
      return -1;
    }
  }
  free(buf);
  fsync(fd);
  close(fd);
  return 0;
}

/* Pages cached by whoever wrote the file are charged to them, not to us:
 * drop them so our reads fault and charge our cgroup. */
static void drop_cache(int fd) {
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

static volatile sig_atomic_t stop;
static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

static void reader(const char *path, size_t size, size_t hot, double seconds, unsigned seed) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    perror("open");
    exit(1);
  }
  drop_cache(fd);
  unsigned char *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  size_t pages = size / 4096, hotPages = hot / 4096;
  if (hot == 0) {
    /* Sequential sweeps over a file larger than the limit: readahead brings
     * pages in, they are evicted before the sweep comes back, and every
     * fault is a refault of a recently evicted page: memory stall. */
    double end = seconds > 0 ? now_s() + seconds : 1e300;
    volatile unsigned long sum = 0;
    while (!stop && now_s() < end)
      for (size_t p = 0; p < pages && !stop; ++p) sum += m[p * 4096];
    (void)sum; /* read only to touch the pages */
    exit(0);
  }
  madvise(m, size, MADV_RANDOM);
  double end = seconds > 0 ? now_s() + seconds : 1e300;
  volatile unsigned long sum = 0;
  unsigned r = seed;
  while (!stop && now_s() < end) {
    for (size_t p = 0; p < hotPages; ++p) sum += m[p * 4096];
    for (size_t i = 0; i < hotPages; ++i) {
      r = r * 1103515245u + 12345u;
      size_t p = hotPages + (r % (pages - hotPages));
      sum += m[p * 4096];
    }
  }
  (void)sum;
  exit(0);
}

static void spinner(double seconds) {
  double end = seconds > 0 ? now_s() + seconds : 1e300;
  volatile unsigned long x = 0;
  while (!stop && now_s() < end)
    for (int i = 0; i < 1000000; ++i) x += i;
  (void)x;
  exit(0);
}

/* The "N:memory:/path" line of /proc/self/cgroup, or "" without v1 memory. */
static void memory_cgroup(char *out, size_t len) {
  out[0] = 0;
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return;
  char line[4096];
  while (fgets(line, sizeof line, f))
    if (strstr(line, ":memory:")) {
      snprintf(out, len, "%s", line);
      break;
    }
  fclose(f);
}

static int await_memory_cgroup_change(double seconds) {
  char first[4096], now[4096];
  memory_cgroup(first, sizeof first);
  if (!first[0]) return 0;
  for (double end = now_s() + seconds; now_s() < end && !stop; usleep(20000)) {
    memory_cgroup(now, sizeof now);
    if (strcmp(now, first) != 0) return 0;
  }
  fprintf(stderr, "pressure-gen: nobody moved me into a memory cgroup within %.0f s\n", seconds);
  return -1;
}

static void write_started(const char *path) {
  if (!path) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  FILE *f = fopen(path, "we");
  if (!f) {
    perror(path);
    return;
  }
  fprintf(f, "%lld\n", (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
  fclose(f);
}

static void fill_half_random(char *p, size_t len, uint64_t *state) {
  for (size_t page = 0; page + 4096 <= len; page += 4096) {
    uint64_t *w = (uint64_t *)(p + page);
    for (size_t i = 0; i < 2048 / sizeof(uint64_t); ++i) {
      uint64_t x = *state; /* xorshift64 */
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      *state = x;
      w[i] = x;
    }
    memset(p + page + 2048, 0, 2048);
  }
}

static void grower(double mibPerSec, double seconds, int halfRandom) {
  double start = now_s(), end = seconds > 0 ? start + seconds : 1e300;
  size_t chunk = 1 << 20, have = 0;
  uint64_t state = 88172645463325252ull;
  while (!stop && now_s() < end) {
    size_t want = (size_t)((now_s() - start) * mibPerSec);
    while (have < want) {
      char *p = malloc(chunk);
      if (!p) break;
      if (halfRandom) fill_half_random(p, chunk, &state);
      else memset(p, 0x5a, chunk);
      ++have;
    }
    usleep(50000);
  }
  exit(0);
}

int main(int argc, char **argv) {
  const char *file = NULL, *startedFile = NULL;
  double sizeMib = 256, hotMib = 0, seconds = 0, growMib = 0, awaitSeconds = 0;
  int workers = 1, spin = 0, halfRandom = 0;
  static struct option opts[] = {{"file", required_argument, 0, 'f'},
                                 {"size-mib", required_argument, 0, 's'},
                                 {"hot-mib", required_argument, 0, 'H'},
                                 {"workers", required_argument, 0, 'w'},
                                 {"seconds", required_argument, 0, 't'},
                                 {"grow-anon-mib-per-sec", required_argument, 0, 'g'},
                                 {"await-memory-cgroup", required_argument, 0, 'a'},
                                 {"spin", no_argument, 0, 'S'},
                                 {"started-file", required_argument, 0, 'T'},
                                 {"grow-half-random", no_argument, 0, 'R'},
                                 {"help", no_argument, 0, 'h'},
                                 {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "f:s:H:w:t:g:a:ST:Rh", opts, NULL)) != -1) {
    switch (c) {
      case 'f': file = optarg; break;
      case 's': sizeMib = atof(optarg); break;
      case 'H': hotMib = atof(optarg); break;
      case 'w': workers = atoi(optarg); break;
      case 't': seconds = atof(optarg); break;
      case 'g': growMib = atof(optarg); break;
      case 'a': awaitSeconds = atof(optarg); break;
      case 'S': spin = 1; break;
      case 'T': startedFile = optarg; break;
      case 'R': halfRandom = 1; break;
      case 'h': printf("see the comment at the top of pressure-gen.c\n"); return 0;
      default: return 2;
    }
  }
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  if (awaitSeconds > 0 && await_memory_cgroup_change(awaitSeconds) < 0) return 1;
  write_started(startedFile);
  if (spin) {
    for (int i = 1; i < workers; ++i)
      if (fork() == 0) spinner(seconds);
    spinner(seconds);
  }
  if (growMib > 0) grower(growMib, seconds, halfRandom);
  if (!file || workers < 1 || hotMib < 0 || sizeMib <= hotMib) {
    fprintf(stderr, "usage: pressure-gen --file PATH [--size-mib N] [--hot-mib N] [--workers N] [--seconds N]\n");
    return 2;
  }
  size_t size = (size_t)(sizeMib * 1048576) & ~(size_t)4095, hot = (size_t)(hotMib * 1048576) & ~(size_t)4095;
  if (ensure_file(file, size) < 0) {
    perror(file);
    return 1;
  }
  for (int i = 1; i < workers; ++i)
    if (fork() == 0) reader(file, size, hot, seconds, 12345u + (unsigned)i);
  if (workers == 1) reader(file, size, hot, seconds, 12345u);
  pid_t self = fork();
  if (self == 0) reader(file, size, hot, seconds, 12345u);
  while (wait(NULL) > 0 || errno == EINTR) {
  }
  return 0;
}
